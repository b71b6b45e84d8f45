import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { percent, percentBy } from './aggregate.ts';
import { canInfer, circularGroup, circularHits } from './circular-eval.ts';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { multipleChoice } from './prompts.ts';
import { isPandasNa, readTsv, tsvImage } from './tsv.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { writeXlsx } from './xlsx.ts';

export interface MmBenchOptions extends BenchmarkOptions {
  /** The TSV, relative to `root`. Default `mmbench_dev_20230712.tsv` (LLaVA-1.5's). */
  file?: string;
}

interface MmBenchItem extends Item {
  index: number;
  /** Letter → option text, the options present in the row. */
  choices: Record<string, string>;
  answer?: string;
  /** The row as read, for the submission sheet. */
  row: Record<string, string>;
}

const LETTERS = ['A', 'B', 'C', 'D'];
/** Columns LLaVA's `convert_mmbench_for_submission.py` drops; it inserts `prediction` as the 7th column. */
const DROPPED = new Set(['hint', 'category', 'source', 'image', 'comment', 'l2-category']);
const PREDICTION_COLUMN = 6;

/** `is_none` of LLaVA's `model_vqa_mmbench.py` on a pandas cell: NaN, or "nan" / "none" in any case. */
const isNone = (v: string | undefined) => isPandasNa(v) || ['nan', 'none'].includes(v!.toLowerCase());

/**
 * MMBench (a TSV with base64 images; the circular copies of question i are rows i + k·10⁶ with rotated
 * options). Prompt as LLaVA's `model_vqa_mmbench.py --single-pred-prompt`: hint (if any), question, the
 * options up to the first empty one as "A. …" lines, the letter instruction. Scored with VLMEvalKit's
 * circular evaluation under exact matching (`can_infer`; no GPT extractor).
 */
export class MmBench extends FileBenchmark<MmBenchItem, string> {
  readonly name = 'mmbench';
  readonly split: string;
  protected readonly source: string;
  private header: string[] = [];

  constructor(options: MmBenchOptions) {
    super();
    this.source = join(options.root, options.file ?? 'mmbench_dev_20230712.tsv');
    this.split = options.split ?? 'dev';
  }

  /** The images are inside the TSV. */
  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }];
  }

  protected load(): MmBenchItem[] {
    const { header, rows } = readTsv(this.source, ['index', 'question', 'image', 'A', 'B']);
    this.header = header;
    const images = new Map(rows.map((r) => [r.index, r.image]));
    return rows.map((row, i) => {
      const where = `row ${i + 1} (index ${row.index})`;
      const index = Number(row.index);
      if (!/^\d+$/.test(row.index)) throw new DymuError(`expected a non-negative integer, got ${JSON.stringify(row.index)}`, { file: this.source, field: `${where}: index` });
      const options: string[] = [];
      for (const l of LETTERS) {
        if (isNone(row[l])) break;
        options.push(row[l]);
      }
      const base64 = tsvImage(row.image, images, this.source, where);
      const answer = isNone(row.answer) ? undefined : row.answer;
      if (answer !== undefined && !LETTERS.slice(0, options.length).includes(answer)) {
        throw new DymuError(`expected one of the row's option letters, got ${JSON.stringify(answer)}`, { file: this.source, field: `${where}: answer` });
      }
      const question = isNone(row.hint) ? row.question : `${row.hint}\n${row.question}`;
      return {
        id: row.index, index, answer, row,
        choices: Object.fromEntries(options.map((o, k) => [LETTERS[k], o])),
        image: { base64 },
        prompt: multipleChoice(question, options),
        meta: { category: row.category ?? null, l2_category: row['l2-category'] ?? null, split: row.split ?? null, circular_group: circularGroup(index) },
      };
    });
  }

  /** The letter `can_infer` reads, "Z" for a refusal, "" when it cannot tell. */
  parse(prediction: Prediction): string {
    const item = this.itemOf(prediction);
    return canInfer(prediction.answer, item.choices) ?? '';
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const passes = this.answered(predictions).map(({ item, prediction }) => {
      if (item.answer === undefined) throw new DymuError(`row index ${item.id} has no answer; the test split is scored by the MMBench server (use writeSubmission)`, { file: this.source });
      return { item, parsed: this.parse(prediction), answer: item.answer };
    });
    const hits = circularHits(passes.map(({ item, parsed, answer }) => ({ index: item.index, answer, predicted: parsed || undefined })));
    const rows: SampleScore[] = passes.map(({ item, parsed, answer }) => ({
      id: item.id, score: parsed === answer ? 1 : 0, parsed, circular_hit: hits.get(circularGroup(item.index)) ?? null, ...item.meta,
    }));
    const questions = passes.filter(({ item }) => hits.has(item.index)).map(({ item }) => ({ item, hit: hits.get(item.index) ? 1 : 0 }));
    return this.result({
      accuracy: percent(questions.map((q) => q.hit)),
      single_pass_accuracy: percent(rows.map((r) => r.score)),
      ...percentBy(questions, 'accuracy.', (q) => String(q.item.meta.category), (q) => q.hit),
      ...percentBy(questions, 'accuracy.l2.', (q) => String(q.item.meta.l2_category), (q) => q.hit),
    }, rows);
  }

  /**
   * The sheet LLaVA's `convert_mmbench_for_submission.py` writes for the server: the TSV's columns without
   * hint, category, source, image, comment and l2-category, a `prediction` column (the raw answer) inserted
   * seventh, as an .xlsx workbook.
   */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    const items = [...this.items().values()];
    const kept = this.header.filter((c) => !DROPPED.has(c));
    const columns = [...kept.slice(0, PREDICTION_COLUMN), 'prediction', ...kept.slice(PREDICTION_COLUMN)];
    const cells = items.map((item) => columns.map((c) => {
      if (c === 'prediction') return answers.get(item.id) ?? null;
      if (c === 'index') return item.index;
      return isNone(item.row[c]) ? null : item.row[c];
    }));
    writeXlsx(outPath, columns, cells);
  }
}
