import { basename, join } from 'node:path';
import { DymuError } from '@dymu/core';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { judgeEach, noJudgeMessage, resolveJudge } from './judge.ts';
import { MMBENCH_VIDEO_FINE, MMBENCH_VIDEO_SYSTEM, mmbenchVideoJudgePrompt, mmbenchVideoScores, parseMmbenchVideoScore } from './mmbench-video-score.ts';
import { pyStringList, strip } from './py.ts';
import { isPandasNa, readTsv } from './tsv.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { writePredictionSheet } from './xlsx.ts';

export interface MmBenchVideoOptions extends BenchmarkOptions {
  /** The TSV, relative to `root`. Default `MMBench-Video.tsv`. */
  file?: string;
}

interface MmBenchVideoItem extends Item {
  question: string;
  answer: string;
  dimensions: string[];
  row: Record<string, string>;
}

/** VLMEvalKit's judge (OpenAIWrapper) defaults: temperature 0, at most 2048 new tokens. */
const JUDGE_MAX_TOKENS = 2048;
const REQUIRED = ['index', 'video', 'video_path', 'question', 'answer', 'dimensions'];

/**
 * MMBench-Video as VLMEvalKit evaluates a video model (`MMBench-Video.tsv`, videos `video/<name>.mp4`):
 * the question as the prompt; a judge rates each answer 0–3 against the ground truth; the mean score
 * overall and per coarse and fine dimension (`get_dimension_rating`).
 */
export class MmBenchVideo extends FileBenchmark<MmBenchVideoItem, string> {
  readonly name = 'mmbench_video';
  readonly split = 'test';
  protected readonly source: string;
  private readonly videoDir: string;
  private header: string[] = [];

  constructor(private readonly options: MmBenchVideoOptions) {
    super();
    this.source = join(options.root, options.file ?? 'MMBench-Video.tsv');
    this.videoDir = options.imageDir ?? join(options.root, 'video');
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.videoDir, kind: 'folder' }];
  }

  protected load(): MmBenchVideoItem[] {
    const { header, rows } = readTsv(this.source, REQUIRED);
    this.header = header;
    return rows.map((row, i) => {
      const where = `row ${i + 1} (index ${row.index})`;
      const dimensions = pyStringList(row.dimensions);
      const unknown = dimensions?.find((d) => !MMBENCH_VIDEO_FINE.includes(d));
      if (dimensions === undefined || dimensions.length === 0 || unknown !== undefined) {
        throw new DymuError(`expected a Python list of MMBench-Video dimensions, got ${JSON.stringify(row.dimensions)}${unknown === undefined ? '' : ` ("${unknown}" is none)`}`, { file: this.source, field: `${where}: dimensions` });
      }
      if (isPandasNa(row.video_path)) throw new DymuError('expected the path of the video', { file: this.source, field: `${where}: video_path` });
      return {
        id: row.index, question: row.question, answer: row.answer, dimensions, row,
        image: { video: join(this.videoDir, basename(row.video_path)) },
        prompt: row.question,
        meta: { video: row.video, dimensions: dimensions.join(',') },
      };
    });
  }

  parse(prediction: Prediction): string {
    return prediction.answer;
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const judge = resolveJudge(this.options.judge);
    if (judge === undefined) return this.skipped(noJudgeMessage('MMBench-Video'));
    const answered = this.answered(predictions);
    const rows = await judgeEach(judge, 'mmbench_video: rating', answered, async ({ item, prediction }): Promise<SampleScore> => {
      // VLMEvalKit sends no empty prediction (pandas reads it as NaN) to the judge: its score is −1.
      const reply = strip(prediction.answer) === '' ? null : await judge.complete({
        messages: [{ role: 'system', content: MMBENCH_VIDEO_SYSTEM }, { role: 'user', content: mmbenchVideoJudgePrompt(item.question, item.answer, prediction.answer) }],
        temperature: 0, maxTokens: JUDGE_MAX_TOKENS,
      });
      const score = reply === null ? -1 : parseMmbenchVideoScore(reply);
      return { id: item.id, score, parsed: prediction.answer, judge_reply: reply, judge_valid: score >= 0, ...item.meta };
    });
    const scores = mmbenchVideoScores(answered.map(({ item }, k) => ({ dimensions: item.dimensions, score: rows[k].score })));
    return this.result({ ...scores, judge_failures: rows.filter((r) => !r.judge_valid).length }, rows);
  }

  /** VLMEvalKit's evaluation input: the TSV's columns plus `prediction` (the raw answer), as .xlsx. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    writePredictionSheet(outPath, this.header, [...this.items().values()], answers);
  }
}
