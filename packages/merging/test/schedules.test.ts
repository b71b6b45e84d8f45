import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSchedule, spreadMerges, variantSchedule, variantTotal, type EncoderShape } from '../src/index.ts';

const CLIP_L: EncoderShape = { arch: 'clip', imageSize: 336, patchSize: 14, hiddenSize: 1024, numLayers: 24, patches: 576 };
const SIGLIP_B: EncoderShape = { arch: 'siglip', imageSize: 384, patchSize: 16, hiddenSize: 768, numLayers: 12, patches: 576 };
const SO400M: EncoderShape = { arch: 'siglip', imageSize: 384, patchSize: 14, hiddenSize: 1152, numLayers: 27, patches: 729 };
const TINY: EncoderShape = { arch: 'clip', imageSize: 64, patchSize: 8, hiddenSize: 64, numLayers: 4, patches: 64 };
const sum = (r: number[]) => r.reduce((a, b) => a + b, 0);
const tmp = mkdtempSync(join(tmpdir(), 'dymu-schedules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('schedules (DYMU.md §4)', () => {
  it('linear and reverse_linear: the test cases of the design notes', () => {
    expect(spreadMerges('linear', 384, 24)).toEqual([32, 30, 29, 28, 26, 25, 24, 22, 21, 20, 18, 17, 16, 14, 13, 12, 10, 9, 8, 6, 4, 0, 0, 0]);
    expect(spreadMerges('linear', 504, 24)).toEqual([42, 40, 38, 36, 35, 33, 31, 29, 28, 26, 24, 22, 21, 19, 17, 15, 14, 12, 10, 8, 4, 0, 0, 0]);
    expect(spreadMerges('reverse_linear', 384, 24)).toEqual(spreadMerges('linear', 384, 24).reverse());
  });

  it('constant: floor(total/L) each, the remainder on the first blocks', () => {
    expect(spreadMerges('constant', 384, 24)).toEqual(new Array(24).fill(16));
    expect(spreadMerges('constant', 43, 4)).toEqual([11, 11, 11, 10]);
    for (const shape of ['constant', 'linear', 'reverse_linear'] as const) expect(sum(spreadMerges(shape, 43, 4))).toBe(43);
  });

  it("variants: the paper's totals for its encoders, the CLIP-L fraction of the patches for others", () => {
    expect(variantSchedule(CLIP_L, 'low').r).toEqual(new Array(24).fill(21));
    expect([variantTotal(CLIP_L, 'mid'), variantTotal(CLIP_L, 'high')]).toEqual([384, 192]);
    expect(['low', 'mid', 'high'].map((v) => variantSchedule(SIGLIP_B, v as 'low').r[0])).toEqual([42, 32, 16]);
    expect(['low', 'mid', 'high'].map((v) => variantSchedule(SO400M, v as 'low').r)).toEqual([24, 21, 15].map((r) => new Array(27).fill(r)));
    // llava-hf's OneVision tower drops the unused last block: the same r_i in the 26 it keeps
    expect(['low', 'mid', 'high'].map((v) => variantSchedule({ ...SO400M, numLayers: 26 }, v as 'low').r)).toEqual([24, 21, 15].map((r) => new Array(26).fill(r)));
    expect(['low', 'mid', 'high'].map((v) => variantTotal(TINY, v as 'low'))).toEqual([56, 43, 21]);
    expect(variantSchedule(CLIP_L, 'mid', 'linear')).toEqual({ name: 'mid/linear', r: spreadMerges('linear', 384, 24) });
  });

  it('a schedule file is a list of r_i, one per block, validated with the file and field', () => {
    const good = join(tmp, 'good.json');
    writeFileSync(good, '[3, 2, 1, 0]');
    expect(resolveSchedule(good, TINY)).toEqual({ name: good, r: [3, 2, 1, 0] });
    const short = join(tmp, 'short.json');
    writeFileSync(short, '[3, 2]');
    expect(() => resolveSchedule(short, TINY)).toThrow(`${short}: expected 4 entries, got 2`);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '[3, 2, -1, 0]');
    expect(() => resolveSchedule(bad, TINY)).toThrow(`${bad}: [2]: expected an integer ≥ 0, got -1`);
    expect(() => resolveSchedule('medium', TINY)).toThrow('medium: expected low, mid, high or a JSON file');
  });
});
