import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MergePolicy } from '@dymu/core';
import { type Answer, Vlm } from '@dymu/llm';
import { createPolicy } from '@dymu/merging';
import { SessionPool } from '@dymu/onnx';
import { makeVlmModel } from '@dymu/weights';

const IMAGES = join(import.meta.dirname, '..', '..', '..', 'assets', 'images');
const root = mkdtempSync(join(tmpdir(), 'dymu-batched-'));
const pool = new SessionPool();
let vlm: Vlm;

/** Seven questions of different lengths about images of different complexity (so DToMe keeps different counts). */
const QUESTIONS = [
  ['astronaut', 'What is this?'],
  ['chelsea', 'Is there a cat in the picture? Answer yes or no.'],
  ['coffee', 'Describe the image in detail, including the colours, the objects and their positions.'],
  ['coins', 'How many coins?'],
  ['gravel', 'What material is shown here, and is the surface rough or smooth?'],
  ['text', 'Read the text.'],
  ['hubble_deep_field', 'What kind of objects fill this image, and how far away might they be?'],
].map(([image, question]) => ({ images: [join(IMAGES, `${image}.jpg`)], question }));

beforeAll(async () => {
  const { dir } = makeVlmModel({ family: 'llama', preset: 'tiny', seed: 0, out: join(root, 'vlm') });
  vlm = await Vlm.load(dir, { pool });
});
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

const policies: Record<string, () => MergePolicy> = {
  // DToMe keeps a different number of tokens per image; ToMe the same number, merged differently.
  dtome: () => createPolicy('dtome', { thresholds: [0.8, 0.8, 0.8, null] }, { encoder: { ...vlm.encoder.config, patches: vlm.encoder.patches } }),
  tome: () => createPolicy('tome', { r: 6 }, { encoder: { ...vlm.encoder.config, patches: vlm.encoder.patches } }),
};

/** What must not depend on the batch: the answer and the sequence it was read from. */
const essence = (a: Answer) => ({ text: a.text, tokens: a.tokens, finish: a.finish, visual: a.visualTokens, unique: a.unique, virtual: a.virtual });

async function inBatches(size: number, options: Parameters<Vlm['answer']>[1]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < QUESTIONS.length; i += size) answers.push(...(await vlm.answer(QUESTIONS.slice(i, i + size), options)));
  return answers;
}

describe.each(Object.keys(policies))('batched answers with %s merging and VTU', (name) => {
  it('are those of one question at a time, for batch sizes that do and do not divide the question count', async () => {
    const policy = policies[name]();
    const single: Answer[] = [];
    for (const q of QUESTIONS) single.push(await vlm.ask(q.images, q.question, { policy, maxNewTokens: 10, eosTokenIds: [] }));
    // The batch really mixes layouts: prompt lengths (N) differ, and with DToMe the unique lengths too.
    expect(new Set(single.map((a) => a.virtual)).size).toBeGreaterThan(3);
    expect(single.every((a) => a.virtual > a.unique)).toBe(true);
    expect(new Set(single.map((a) => a.tokens.join())).size).toBe(QUESTIONS.length);
    if (name === 'dtome') expect(new Set(single.map((a) => a.visualTokens)).size).toBeGreaterThan(3);
    // An EOS that is one answer's third token ends that answer (and any other that reaches it) early, the rest run to max tokens.
    const eos = single[2].tokens[2];
    const reference = [];
    for (const q of QUESTIONS) reference.push(essence(await vlm.ask(q.images, q.question, { policy, maxNewTokens: 10, eosTokenIds: [eos] })));
    expect(reference[2]).toMatchObject({ finish: 'eos', tokens: single[2].tokens.slice(0, 2) });
    expect(reference.some((a) => a.finish === 'length' && a.tokens.length === 10)).toBe(true);
    for (const size of [2, 3, 4, 7]) {
      const batched = await inBatches(size, { policy, maxNewTokens: 10, eosTokenIds: [eos] });
      expect(batched.map(essence), `batch ${size}`).toEqual(reference);
    }
    // Without the KV cache (every step recomputes the batch's sequences, finished ones dropped) too.
    expect((await inBatches(4, { policy, maxNewTokens: 10, eosTokenIds: [eos], useCache: false })).map(essence)).toEqual(reference);
  });
});
