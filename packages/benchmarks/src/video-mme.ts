import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { DymuError } from '@dymu/core';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, writeJson } from './files.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { extractVideoMmeLetter, videoMmePrompt, videoMmeScores } from './video-mme-score.ts';

export interface VideoMmeOptions extends BenchmarkOptions {
  /** The question file, relative to `root`. Default `videomme/test-00000-of-00001.parquet` (lmms-lab/Video-MME). */
  file?: string;
}

interface VideoMmeItem extends Item {
  answer: string;
  record: Record<string, unknown>;
}

const DURATIONS = ['short', 'medium', 'long'] as const;
const LETTERS = ['A', 'B', 'C', 'D'] as const;

/**
 * Video-MME without subtitles (lmms-lab/Video-MME: `videomme/test-*.parquet`, videos `data/<videoID>.mp4`),
 * as lmms-eval's `videomme` task: the instruction, question and options as the prompt; the first A–D of
 * the answer (`extract_characters_regex`); accuracy overall and per duration, domain, sub-category, task type.
 */
export class VideoMme extends FileBenchmark<VideoMmeItem, string> {
  readonly name = 'video_mme';
  readonly split = 'test';
  protected readonly source: string;
  private readonly videoDir: string;
  private records?: Record<string, unknown>[];

  constructor(options: VideoMmeOptions) {
    super();
    this.source = join(options.root, options.file ?? 'videomme/test-00000-of-00001.parquet');
    this.videoDir = options.imageDir ?? join(options.root, 'data');
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.videoDir, kind: 'folder' }];
  }

  protected override async prepare(): Promise<void> {
    if (this.records !== undefined) return;
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.source);
    } catch (cause) {
      throw new DymuError(`cannot read: ${(cause as Error).message}`, { file: this.source, cause });
    }
    try {
      this.records = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    } catch (cause) {
      throw new DymuError(`not a readable parquet file: ${(cause as Error).message}`, { file: this.source, cause });
    }
  }

  protected load(): VideoMmeItem[] {
    if (this.records === undefined) throw new DymuError('the questions are read asynchronously: iterate samples() or call score() first', { file: this.source });
    return this.records.map((raw, i) => {
      const r = new Fields(this.source, `row ${i}`, raw);
      const options = r.strings('options');
      const answer = r.string('answer');
      if (!LETTERS.slice(0, options.length).includes(answer as (typeof LETTERS)[number])) r.fail('answer', `one of the option letters ${LETTERS.slice(0, options.length).join(', ')}`, answer);
      const duration = r.choice('duration', DURATIONS);
      return {
        id: r.string('question_id'), answer, record: raw as Record<string, unknown>,
        image: { video: this.videoPath(r.string('videoID')) },
        prompt: videoMmePrompt(r.string('question'), options),
        meta: { video_id: r.string('video_id'), duration, domain: r.string('domain'), sub_category: r.string('sub_category'), task_type: r.string('task_type') },
      };
    });
  }

  /** `data/<videoID>.mp4`, or the .MP4 / .mkv beside it when only that exists (as lmms-eval looks). */
  private videoPath(videoId: string): string {
    const mp4 = join(this.videoDir, `${videoId}.mp4`);
    return [mp4, join(this.videoDir, `${videoId}.MP4`), join(this.videoDir, `${videoId}.mkv`)].find(existsSync) ?? mp4;
  }

  /** The letter lmms-eval reads ('' for none). */
  parse(prediction: Prediction): string {
    return extractVideoMmeLetter(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    await this.prepare();
    const rows: SampleScore[] = [];
    const graded = this.answered(predictions).map(({ item, prediction }) => {
      const parsed = this.parse(prediction);
      const hit = parsed === item.answer;
      rows.push({ id: item.id, score: hit ? 1 : 0, parsed, ...item.meta });
      const m = item.meta as Record<string, string>;
      return { duration: m.duration, domain: m.domain, subCategory: m.sub_category, taskType: m.task_type, hit };
    });
    return this.result(videoMmeScores(graded), rows);
  }

  /**
   * What Video-MME's `eval_your_results.py` reads: one entry per video (video_id, duration, domain,
   * sub_category, questions) with each answered question's fields and the raw answer as `response`.
   */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    const videos = new Map<string, { video_id: unknown; duration: unknown; domain: unknown; sub_category: unknown; questions: object[] }>();
    for (const { id, record: r } of this.items().values()) {
      if (!answers.has(id)) continue;
      const video = videos.get(String(r.video_id)) ?? { video_id: r.video_id, duration: r.duration, domain: r.domain, sub_category: r.sub_category, questions: [] };
      video.questions.push({ question_id: r.question_id, task_type: r.task_type, question: r.question, options: r.options, answer: r.answer, response: answers.get(id) });
      videos.set(String(r.video_id), video);
    }
    writeJson(outPath, [...videos.values()]);
  }
}
