import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gradeMmvet, LlavaBench, MMVET_PROMPT, MmVet, mmvetQuery, openAiJudge, parseMmvetScore, parseReviewScores, REVIEW_RULE, REVIEW_SYSTEM,
} from '../src/index.ts';
import { collect, fixtureDirs, jsonl, put, scriptedJudge, tinyPng } from './helpers.ts';

const newDir = fixtureDirs('judge');

/** An OpenAI-compatible endpoint on 127.0.0.1 answering from a queue: a status, or a reply text. */
const replies: (string | number)[] = [];
const requests: { body: { model: string; messages: { role: string; content: string }[]; temperature: number; max_tokens: number }; authorization?: string }[] = [];
let baseUrl = '';
const server = createServer(async (req: IncomingMessage, res) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  requests.push({ body: JSON.parse(text), authorization: req.headers.authorization });
  const reply = replies.shift() ?? 'no reply queued';
  if (typeof reply === 'number') {
    res.writeHead(reply).end('busy');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }] }));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));


describe('OpenAI-compatible judge', () => {
  it('posts chat completions with the key from the environment, retrying 429 and 5xx', async () => {
    replies.push(429, 503, '0.7');
    requests.length = 0;
    const judge = openAiJudge({ baseUrl: `${baseUrl}/`, model: 'gpt-4-0613', apiKeyEnv: 'TEST_JUDGE_KEY', retryDelayMs: 1 }, { TEST_JUDGE_KEY: 'sk-test' });
    const reply = await judge.complete({ messages: [{ role: 'user', content: 'grade' }], temperature: 0, maxTokens: 3 });
    expect(reply).toBe('0.7');
    expect(requests).toHaveLength(3);
    expect(requests[2]).toEqual({ body: { model: 'gpt-4-0613', messages: [{ role: 'user', content: 'grade' }], temperature: 0, max_tokens: 3 }, authorization: 'Bearer sk-test' });
  });

  it('fails clearly: missing key variable, HTTP errors', async () => {
    expect(() => openAiJudge({ baseUrl, model: 'm', apiKeyEnv: 'TEST_JUDGE_UNSET' }, {})).toThrow('TEST_JUDGE_UNSET');
    replies.push(400);
    await expect(openAiJudge({ baseUrl, model: 'm', retries: 0 }).complete({ messages: [], temperature: 0, maxTokens: 1 })).rejects.toThrow('HTTP 400: busy');
  });
});

describe('MM-Vet grading', () => {
  it('builds the grader query and reads grades as mm-vet_evaluator.py', () => {
    expect(mmvetQuery('What is x?', '-1<AND>-5', 'x = 3')).toBe(`${MMVET_PROMPT}\nWhat is x? | -1 <AND> -5 | x = 3 | `);
    expect(parseMmvetScore('0.5')).toBe(0.5);
    expect(parseMmvetScore('\n1.0 ')).toBe(1);
    expect(parseMmvetScore('1.5')).toBeUndefined();
    expect(parseMmvetScore('Correctness: 1.0')).toBeUndefined();
  });

  it('asks again with the digit suffix at temperatures 0, 0.5, 1, 1.5, then gives 0', async () => {
    const judge = scriptedJudge(['x', 'x', 'x', 'x', 'x']);
    expect(await gradeMmvet(judge, 'Q')).toEqual({ score: 0, content: 'x', valid: false });
    expect(judge.seen.map((r) => [r.temperature, r.maxTokens, r.messages[0].content])).toEqual([
      [0, 3, 'Q'], ...[0, 0.5, 1, 1.5].map((t) => [t, 3, 'Q\nPredict the correctness of the answer (digit): ']),
    ]);
  });

  function mmvetRoot(): string {
    const root = newDir();
    put(join(root, 'mm-vet.json'), {
      v1_0: { imagename: 'v1_0.png', capability: ['ocr', 'math'], question: 'What is x in the equation?', answer: '-1 <AND> -5' },
      v1_1: { imagename: 'v1_1.png', capability: ['rec', 'ocr'], question: 'What is written?', answer: 'STOP' },
      v1_2: { imagename: 'v1_2.png', capability: ['rec'], question: 'What animal is it?', answer: 'cat<OR>kitten' },
    });
    for (const i of [0, 1, 2]) put(join(root, 'images', `v1_${i}.png`), tinyPng());
    return root;
  }

  it('grades through the endpoint and aggregates per capability', async () => {
    const root = mmvetRoot();
    replies.push('0.5', 'Correct', '1.0', '0.0');
    requests.length = 0;
    const bench = new MmVet({ root, judge: { baseUrl, model: 'gpt-4-0613' } });
    const samples = await collect(bench);
    expect(samples[0].prompt).toBe('What is x in the equation?');
    const scores = await bench.score([{ id: 'v1_0', answer: 'x = -1' }, { id: 'v1_1', answer: 'stop' }, { id: 'v1_2', answer: 'a dog' }]);
    expect(requests.map((r) => r.body.messages[0].content.split('\n').at(-1))).toEqual([
      'What is x in the equation? | -1  <AND>  -5 | x = -1 | ', 'What is written? | STOP | stop | ',
      'Predict the correctness of the answer (digit): ', 'What animal is it? | cat <OR> kitten | a dog | ',
    ]);
    // grades 0.5, 1.0 (after one retry), 0.0 → total (0.5 + 1 + 0) / 3 = 50; ocr {v1_0, v1_1}: 75; math {v1_0}: 50;
    // rec {v1_1, v1_2}: 50; combinations math_ocr 50, ocr_rec 100, rec 0
    expect(scores.metrics).toEqual({
      total: 50, math: 50, ocr: 75, rec: 50, 'cap_int.math_ocr': 50, 'cap_int.ocr_rec': 100, 'cap_int.rec': 0, judge_failures: 0, count: 3, missing_images: 0,
    });
    expect(scores.rows[1]).toMatchObject({ id: 'v1_1', score: 1, judge_reply: '1.0', judge_valid: true, capability: 'ocr,rec' });
    bench.writeSubmission([{ id: 'v1_0', answer: 'x = -1' }], join(root, 'mmvet.json'));
    expect(JSON.parse(readFileSync(join(root, 'mmvet.json'), 'utf8'))).toEqual({ v1_0: 'x = -1' });
  });

  it('is skipped with a clear message when no judge is configured', async () => {
    const scores = await new MmVet({ root: mmvetRoot() }).score([{ id: 'v1_0', answer: 'x' }]);
    expect(scores.skipped).toMatch(/MM-Vet is graded by a judge model and none is configured.*baseUrl, model, apiKeyEnv/);
    expect(scores.rows).toEqual([]);
  });
});

describe('LLaVA-Bench (in-the-wild) review', () => {
  it('reads the two scores from the first line as eval_gpt_review_bench.py', () => {
    expect(parseReviewScores('8 6\nAssistant 1 is better.')).toEqual([8, 6]);
    expect(parseReviewScores('7,7\n')).toEqual([7, 7]);
    expect(parseReviewScores('9  8\nx')).toEqual([-1, -1]); // two spaces: three parts
    expect(parseReviewScores('Scores: 8 6')).toEqual([-1, -1]);
  });

  it('reviews against the GPT-4 reference and reports model / reference × 100 per category', async () => {
    const root = newDir();
    put(join(root, 'questions.jsonl'), jsonl([
      { question_id: 0, image: '001.jpg', text: 'What is the name of this dish?', category: 'conv' },
      { question_id: 1, image: '001.jpg', text: 'Describe this photo in detail.', category: 'detail' },
      { question_id: 2, image: '002.jpg', text: 'Why is this funny?', category: 'complex' },
    ]));
    put(join(root, 'context.jsonl'), jsonl([{ id: '001', image: '001.jpg', caption: 'A bowl of ramen.' }, { id: '002', image: '002.jpg', caption: ['A meme.', 'A cat.'] }]));
    put(join(root, 'answers_gpt4.jsonl'), jsonl([0, 1, 2].map((i) => ({ question_id: i, text: `reference ${i}`, answer_id: `a${i}`, model_id: 'gpt-4-0314' }))));
    for (const f of ['001.jpg', '002.jpg']) put(join(root, 'images', f), tinyPng());
    const judge = scriptedJudge(['8 6\nAssistant 2 misses the broth.', '7,7\nEqual.', '9  8\nmalformed first line']);
    const bench = new LlavaBench({ root, judge });
    expect((await collect(bench)).map((s) => s.prompt)).toEqual(['What is the name of this dish?', 'Describe this photo in detail.', 'Why is this funny?']);
    const scores = await bench.score([0, 1, 2].map((i) => ({ id: String(i), answer: `answer ${i}` })));
    expect(judge.seen[0]).toEqual({
      messages: [
        { role: 'system', content: REVIEW_SYSTEM },
        { role: 'user', content: `[Context]\nA bowl of ramen.\n\n[Question]\nWhat is the name of this dish?\n\n[Assistant 1]\nreference 0\n\n[End of Assistant 1]\n\n[Assistant 2]\nanswer 0\n\n[End of Assistant 2]\n\n[System]\n${REVIEW_RULE}\n\n` },
      ],
      temperature: 0.2, maxTokens: 1024,
    });
    expect(judge.seen[2].messages[1].content).toMatch(/^\[Context\]\nA meme\.\nA cat\.\n\n/);
    // pairs (8, 6), (7, 7), (−1, −1) (unparsable, still averaged as the official summary does):
    // all: reference (8 + 7 − 1) / 3 = 14/3, model (6 + 7 − 1) / 3 = 4 → 100 · 4 / (14/3) = 85.71
    expect(scores.metrics.relative).toBeCloseTo((100 * 12) / 14, 10);
    expect(scores.metrics['relative.conv']).toBe(75); // 6 / 8
    expect(scores.metrics['relative.detail']).toBe(100);
    expect(scores.metrics['relative.complex']).toBe(100); // −1 / −1
    expect(scores.metrics.review_failures).toBe(1);
    expect(scores.rows[0]).toMatchObject({ id: '0', score: 6, reference_score: 8, category: 'conv' });
  });
});
