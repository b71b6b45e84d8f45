import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgb } from '../src/preprocess.ts';
import { probeVideo, readVideoFrames, uniformFrameIndices } from '../src/index.ts';

const golden = JSON.parse(readFileSync(new URL('./golden/video-frame-indices.json', import.meta.url), 'utf8')) as {
  cases: { total: number; count: number; indices: number[] }[];
};

describe('uniformFrameIndices', () => {
  it("equals numpy's linspace(0, total - 1, count, dtype=int) (tools/golden/video_frame_indices.py)", () => {
    for (const { total, count, indices } of golden.cases) expect(uniformFrameIndices(total, count), `${total} frames, ${count} samples`).toEqual(indices);
  });

  it('refuses a video without frames and a non-positive count', () => {
    expect(() => uniformFrameIndices(0, 8)).toThrow(/at least one frame/);
    expect(() => uniformFrameIndices(10, 0)).toThrow(/positive integer/);
  });
});

/** Frame n is a flat colour that encodes n, so a decoded frame tells which frame it was. */
const colourOf = (n: number): [number, number, number] => [(n * 37) % 256, (n * 91 + 40) % 256, 255 - ((n * 23) % 256)];

describe('readVideoFrames (FFmpeg)', () => {
  let dir: string;
  const frames = 23;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dymu-video-'));
    for (let n = 0; n < frames; n++) {
      const [r, g, b] = colourOf(n);
      await sharp({ create: { width: 40, height: 24, channels: 3, background: { r, g, b } } }).png().toFile(join(dir, `f${String(n).padStart(3, '0')}.png`));
    }
    const encode = (args: string[], out: string) => execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '8', '-i', join(dir, 'f%03d.png'), ...args, join(dir, out)]);
    encode(['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], 'lossless.mkv');
    encode(['-c:v', 'mpeg4', '-q:v', '2', '-pix_fmt', 'yuv420p'], 'lossy.mp4');
    writeFileSync(join(dir, 'empty.mp4'), '');
    writeFileSync(join(dir, 'garbage.mp4'), 'this is not a video');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts frames and reads size and rate, in Matroska (no frame count in the header) and MP4', async () => {
    for (const file of ['lossless.mkv', 'lossy.mp4']) {
      const info = await probeVideo(join(dir, file));
      expect(info, file).toMatchObject({ width: 40, height: 24, frames, fps: 8 });
      expect(info.durationS).toBeCloseTo(frames / 8, 1);
    }
  });

  it('returns the uniformly sampled frames, in order, repeated where the sampling repeats them', async () => {
    for (const count of [8, 32]) {
      const { indices, frames: pngs } = await readVideoFrames(join(dir, 'lossless.mkv'), count);
      expect(indices).toEqual(uniformFrameIndices(frames, count));
      expect(pngs).toHaveLength(count);
      for (const [i, png] of pngs.entries()) {
        const { data, width, height } = await decodeRgb(png);
        expect([width, height]).toEqual([40, 24]);
        const expected = colourOf(indices[i]);
        for (let c = 0; c < 3; c++) expect(Math.abs(data[c] - expected[c]), `frame ${indices[i]} channel ${c}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('names the file of an empty, unreadable or missing video', async () => {
    await expect(readVideoFrames(join(dir, 'empty.mp4'))).rejects.toThrow(/empty\.mp4.*empty/);
    await expect(readVideoFrames(join(dir, 'garbage.mp4'))).rejects.toThrow(/garbage\.mp4.*cannot read video/);
    await expect(readVideoFrames(join(dir, 'missing.mp4'))).rejects.toThrow(/missing\.mp4.*no such file/);
  });
});
