import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractVideoMmeLetter, VideoMme } from '../src/index.ts';
import { collect, fixtureCopy, fixtureDirs, put } from './helpers.ts';

const newDir = fixtureDirs('video-mme');

/**
 * test/fixtures/video-mme: lmms-lab/Video-MME's question file (six questions on three videos), written by
 * tools/fixtures/make-video-mme-test-parquet.ts. The videos are placed here: this package never decodes them.
 */
function videoMmeRoot(): string {
  const root = fixtureCopy(newDir, 'video-mme');
  for (const id of ['fixtureA', 'fixtureB']) put(join(root, 'data', `${id}.mp4`), 'not decoded by @dymu/benchmarks');
  return root;
}

const PREDICTIONS = [
  { id: '001-1', answer: 'The answer is (B).' }, // prefix removed → "(B)." → B ✓
  { id: '001-2', answer: 'A. Red.' }, // A ✓
  { id: '001-3', answer: 'Based on the video, a cat sits on the sofa near the window.' }, // first capital of A–D is the B of "Based" → B ✗ (answer D)
  { id: '002-1', answer: 'the cat jumps over the fence and then it runs away into the garden' }, // > 10 words, no A–D → '' ✗
  { id: '002-2', answer: 'The best answer is: C' }, // ": C" → C ✓
  { id: '003-1', answer: 'd' }, // lower case is no letter → '' ✗
];

describe('Video-MME (lmms-lab/Video-MME parquet, without subtitles)', () => {
  it("reads the parquet; each question's video and lmms-eval's prompt; a missing video is skipped", async () => {
    const root = videoMmeRoot();
    const bench = new VideoMme({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => s.id)).toEqual(['001-1', '001-2', '001-3', '002-1', '002-2']);
    expect(samples[0].image).toEqual({ video: join(root, 'data/fixtureA.mp4') });
    expect(samples[0].prompt).toBe(
      'Select the best answer to the following multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct option.\n' +
      'How many planets are shown?\nA. 1\nB. 2\nC. 3\nD. 4\nThe best answer is:',
    );
    expect(samples[3].meta).toEqual({ video_id: '002', duration: 'medium', domain: 'Film & Television', sub_category: 'Animation', task_type: 'Action Reasoning' });
    expect(bench.missingImages).toEqual([join(root, 'data/fixtureC.mp4')]);
  });

  it('extracts the letter and scores overall and per duration as videomme_aggregate_results', async () => {
    const bench = new VideoMme({ root: videoMmeRoot() });
    const scores = await bench.score(PREDICTIONS);
    expect(scores.rows.map((r) => [r.id, r.parsed, r.score])).toEqual([
      ['001-1', 'B', 1], ['001-2', 'A', 1], ['001-3', 'B', 0], ['002-1', '', 0], ['002-2', 'C', 1], ['003-1', '', 0],
    ]);
    // 3 of 6 right; short {001-1 ✓, 001-2 ✓, 001-3 ✗} = 2/3, medium {002-1 ✗, 002-2 ✓} = 1/2, long {003-1 ✗} = 0
    expect(scores.metrics).toMatchObject({ accuracy: 50, 'accuracy.medium': 50, 'accuracy.long': 0, count: 6 });
    expect(scores.metrics['accuracy.short']).toBeCloseTo(200 / 3, 10);
    // task types: Counting Problem {001-1 ✓, 003-1 ✗} = 50, OCR Problems {001-2 ✓} = 100
    expect(scores.metrics['accuracy.task.Counting Problem']).toBe(50);
    expect(scores.metrics['accuracy.task.OCR Problems']).toBe(100);
    expect(scores.metrics['accuracy.domain.Sports Competition']).toBe(0);
  });

  it('reads answers as extract_characters_regex', () => {
    expect(extractVideoMmeLetter('  The correct answer is D')).toBe('D');
    expect(extractVideoMmeLetter('(C) because the ball is red')).toBe('C');
    expect(extractVideoMmeLetter('The best option is C')).toBe('C'); // "The best option is" is no prefix (Python joined it with the next)
    expect(extractVideoMmeLetter('The answer')).toBe('');
    expect(extractVideoMmeLetter('one two three four five six seven eight nine ten eleven')).toBe('');
    expect(extractVideoMmeLetter('I think it is the first option, so A, but maybe not, hmm, really')).toBe('A');
  });

  it("writes Video-MME's eval_your_results.py input, questions grouped per video", async () => {
    const bench = new VideoMme({ root: videoMmeRoot() });
    await collect(bench);
    const out = join(newDir(), 'results.json');
    bench.writeSubmission([PREDICTIONS[0], PREDICTIONS[4]], out);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.map((v: { video_id: string }) => v.video_id)).toEqual(['001', '002']);
    expect(written[1]).toEqual({
      video_id: '002', duration: 'medium', domain: 'Film & Television', sub_category: 'Animation',
      questions: [{ question_id: '002-2', task_type: 'Temporal Reasoning', question: 'What happens last?', options: ['A. It rains.', 'B. It snows.', 'C. The sun sets.', 'D. Nothing.'], answer: 'C', response: 'The best answer is: C' }],
    });
  });

  it('names the file, row and field of a bad record, and a file that is no parquet', async () => {
    const root = fixtureCopy(newDir, 'video-mme');
    await expect(collect(new VideoMme({ root, file: 'bad-answer.parquet' }))).rejects.toThrow(/bad-answer\.parquet.*row 0\.answer: expected one of the option letters A, B, C, got "D"/);
    put(join(root, 'broken.parquet'), 'PAR1 not really');
    await expect(collect(new VideoMme({ root, file: 'broken.parquet' }))).rejects.toThrow(/broken\.parquet.*not a readable parquet file/);
  });
});
