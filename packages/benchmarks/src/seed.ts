import { join } from 'node:path';
import { percent, percentBy } from './aggregate.ts';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, readJson, writeJsonl } from './files.ts';
import { multipleChoice } from './prompts.ts';
import { strip } from './py.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

interface SeedItem extends Item {
  questionId: string | number;
  answer: string;
}

/**
 * SEED-Bench (v1), image part: the questions of `SEED-Bench.json` with `data_type` "image" (question types
 * 1–9), images at `SEED-Bench-image/<data_id>`. Prompt as LLaVA-1.5's `llava-seed-bench.jsonl`: question,
 * "A. …" to "D. …", the letter instruction. Scored as LLaVA's `convert_seed_for_submission.py`: the answer
 * (stripped) must equal the letter; accuracy per question type and overall.
 */
export class SeedImg extends FileBenchmark<SeedItem, string> {
  readonly name = 'seed_img';
  readonly split = 'image';
  protected readonly source: string;

  private readonly imageDir: string;

  constructor(options: BenchmarkOptions) {
    super();
    this.source = join(options.root, 'SEED-Bench.json');
    this.imageDir = options.imageDir ?? join(options.root, 'SEED-Bench-image');
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): SeedItem[] {
    const file = new Fields(this.source, '', readJson(this.source));
    const types = file.object('question_type');
    const typeNames = new Map(Object.keys(types.value).map((name) => [types.integer(name), name]));
    const imageDir = this.imageDir;
    return file.records('questions').flatMap((q) => {
      if (q.string('data_type') !== 'image') return [];
      const typeId = q.integer('question_type_id');
      const raw = q.value.question_id;
      return [{
        id: q.id('question_id'),
        questionId: typeof raw === 'number' ? raw : q.string('question_id'),
        image: join(imageDir, q.string('data_id')),
        prompt: multipleChoice(q.string('question'), ['choice_a', 'choice_b', 'choice_c', 'choice_d'].map((c) => q.string(c))),
        meta: { question_type_id: typeId, question_type: typeNames.get(typeId) ?? null },
        answer: q.choice('answer', ['a', 'b', 'c', 'd'] as const).toUpperCase(),
      }];
    });
  }

  /** The decoded answer, stripped: LLaVA compares it to the letter as is. */
  parse(prediction: Prediction): string {
    return strip(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows: SampleScore[] = this.answered(predictions).map(({ item, prediction }) => {
      const parsed = this.parse(prediction);
      return { id: item.id, score: parsed === item.answer ? 1 : 0, parsed, ...item.meta };
    });
    return this.result({ accuracy: percent(rows.map((r) => r.score)), ...percentBy(rows, 'accuracy.type_', (r) => String(r.question_type_id), (r) => r.score) }, rows);
  }

  /** The leaderboard's results file: `{"question_id", "prediction"}` per line, every image question (unanswered: ""). */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const parsed = this.parsedById(predictions);
    writeJsonl(outPath, [...this.items().values()].map((item) => ({ question_id: item.questionId, prediction: parsed.get(item.id) ?? '' })));
  }
}
