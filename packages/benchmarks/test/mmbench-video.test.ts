import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MMBENCH_VIDEO_SYSTEM, MmBenchVideo, mmbenchVideoJudgePrompt, parseMmbenchVideoScore } from '../src/index.ts';
import { collect, fixtureCopy, fixtureDirs, put, scriptedJudge } from './helpers.ts';

const newDir = fixtureDirs('mmbench-video');

/** test/fixtures/mmbench-video: MMBench-Video.tsv (six questions on two videos); only v1's video is placed (never decoded here). */
function mmbenchVideoRoot(): string {
  const root = fixtureCopy(newDir, 'mmbench-video');
  put(join(root, 'video/v1.mp4'), 'not decoded by @dymu/benchmarks');
  return root;
}

const PREDICTIONS = ['A colour test pattern.', 'Eight bars.', 'It is animated.', '', 'White.', 'No, nobody.'].map((answer, i) => ({ id: String(i + 1), answer }));
// judged: 1, 2, 3, 5, 6 (4 is empty: VLMEvalKit sends no NaN prediction to the judge)
const REPLIES = ['3', ' 2\n', 'Score: 1', '4', '0'];

describe('MMBench-Video (VLMEvalKit MMBench-Video.tsv)', () => {
  it('reads the TSV: the question as the prompt, the video under video/; a missing video is skipped', async () => {
    const root = mmbenchVideoRoot();
    const bench = new MmBenchVideo({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => [s.id, s.image, s.prompt])).toEqual([
      ['1', { video: join(root, 'video/v1.mp4') }, 'What is the video about?'],
      ['2', { video: join(root, 'video/v1.mp4') }, 'How many colour bars are there?'],
    ]);
    expect(samples[1].meta).toEqual({ video: 'v1', dimensions: 'Counting,OCR' });
    expect(bench.missingImages).toEqual([join(root, 'video/v2.mp4')]);
  });

  it('rates with the judge 0–3 and averages per dimension as get_dimension_rating', async () => {
    const judge = scriptedJudge([...REPLIES]);
    const scores = await new MmBenchVideo({ root: mmbenchVideoRoot(), judge }).score(PREDICTIONS);
    expect(judge.seen).toHaveLength(5);
    expect(judge.seen[0]).toEqual({
      messages: [{ role: 'system', content: MMBENCH_VIDEO_SYSTEM }, { role: 'user', content: 'Question: What is the video about?\nGroundtruth answer: A test pattern.\nCandidate answer: A colour test pattern.\nYour response: ' }],
      temperature: 0, maxTokens: 2048,
    });
    // scores: 3, 2, −1 ("Score: 1"), −1 (empty, not judged), 4 (kept as VLMEvalKit keeps it), 0
    expect(scores.rows.map((r) => r.score)).toEqual([3, 2, -1, -1, 4, 0]);
    expect(scores.rows.map((r) => r.judge_reply)).toEqual(['3', ' 2\n', 'Score: 1', null, '4', '0']);
    expect(scores.metrics).toMatchObject({
      score: 1.5, // (3 + 2 + 0 + 0 + 4 + 0) / 6, unscored as 0
      score_valid: 2.25, // (3 + 2 + 4 + 0) / 4
      'score.CP': 3, // 1
      'score.FP-S': 3, // 2 (Counting, OCR) and 5 (Attribute Recognition): (2 + 4) / 2
      'score.HL': 0, // 4 and 6
      'score_valid.HL': 0, // 6 only
      'score.TR': 0, // 3 and 4, both unscored
      'score.Perception': 1.8, // 1 2 4 5 6: (3 + 2 + 0 + 4 + 0) / 5
      'score_valid.Perception': 2.25,
      'score.Reasoning': 0,
      'score.fine.Counting': 2,
      'score.fine.OCR': 2,
      'score.fine.Hallucination': 0,
      'score.fine.Attribute Recognition': 4,
      judge_failures: 2,
      count: 6,
    });
    expect(scores.metrics['score.FP-C']).toBeUndefined(); // no question
    expect(scores.metrics['score_valid.TR']).toBeUndefined(); // none scored
  });

  it('reads judge replies as int(x) if istype(x, int) else -1', () => {
    expect(['0', '3', '\t2 ', '-1', '+1', '1_0', '00'].map(parseMmbenchVideoScore)).toEqual([0, 3, 2, -1, 1, 10, 0]);
    expect(['2.', '2.0', 'two', 'Score: 2', '2/3', '02', '0x2', 'True', '(2)', '', 'Failed to obtain answer via API.'].map(parseMmbenchVideoScore)).toEqual(Array(11).fill(-1));
    expect(mmbenchVideoJudgePrompt('Q?', 'A.', 'B.')).toBe('Question: Q?\nGroundtruth answer: A.\nCandidate answer: B.\nYour response: ');
  });

  it('without a judge, is not scored', async () => {
    const scores = await new MmBenchVideo({ root: mmbenchVideoRoot() }).score(PREDICTIONS);
    expect(scores.skipped).toContain('MMBench-Video is graded by a judge model');
  });

  it('names the file, row and field of a bad record', async () => {
    const bench = new MmBenchVideo({ root: mmbenchVideoRoot(), file: 'bad-dimension.tsv' });
    await expect(collect(bench)).rejects.toThrow(/bad-dimension\.tsv.*row 1 \(index 1\): dimensions: .*\("Dancing" is none\)/);
  });
});
