import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { percent, percentBy } from './aggregate.ts';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, readJson, writeJson } from './files.ts';
import { shortAnswer } from './prompts.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

export interface GqaOptions extends BenchmarkOptions {
  /** The questions file is `<split>_questions.json`. Default `testdev_balanced`. */
  split?: string;
}

interface GqaItem extends Item {
  answer?: string;
}

/** LLaVA `convert_gqa_for_eval.py`: trailing periods dropped, lower-cased. */
export function gqaAnswer(answer: string): string {
  return answer.replace(/\.+$/, '').toLowerCase();
}

/**
 * GQA (questions1.2), the balanced questions only, as the official `eval.py` counts them: exact match of the
 * converted prediction with `answer`, overall and per structural / semantic type.
 */
export class Gqa extends FileBenchmark<GqaItem, string> {
  readonly name = 'gqa';
  readonly split: string;
  protected readonly source: string;
  private readonly imageDir: string;

  constructor(options: GqaOptions) {
    super();
    this.split = options.split ?? 'testdev_balanced';
    this.source = join(options.root, `${this.split}_questions.json`);
    this.imageDir = options.imageDir ?? join(options.root, 'images');
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): GqaItem[] {
    const imageDir = this.imageDir;
    const all = new Fields(this.source, '', readJson(this.source));
    // JSON objects list integer-like keys (GQA's question ids) in ascending order, not in file order.
    return Object.keys(all.value).flatMap((qid) => {
      const q = all.object(qid);
      if (!q.boolean('isBalanced')) return [];
      const types = q.object('types');
      return [{
        id: qid,
        image: join(imageDir, `${q.string('imageId')}.jpg`),
        prompt: shortAnswer(q.string('question')),
        meta: { structural: types.string('structural'), semantic: types.string('semantic') },
        answer: q.optionalString('answer'),
      }];
    });
  }

  parse(prediction: Prediction): string {
    return gqaAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows: SampleScore[] = this.answered(predictions).map(({ item, prediction }) => {
      if (item.answer === undefined) throw new DymuError(`question ${item.id} has no answer (the test split is scored by the GQA server)`, { file: this.source });
      const parsed = this.parse(prediction);
      return { id: item.id, score: parsed === item.answer ? 1 : 0, parsed, ...item.meta };
    });
    return this.result({
      accuracy: percent(rows.map((r) => r.score)),
      ...percentBy(rows, 'accuracy.structural.', (r) => String(r.structural), (r) => r.score),
      ...percentBy(rows, 'accuracy.semantic.', (r) => String(r.semantic), (r) => r.score),
    }, rows);
  }

  /** GQA's predictions file: `[{"questionId": str, "prediction": str}]`, every balanced question. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const parsed = this.parsedById(predictions);
    writeJson(outPath, [...this.items().keys()].map((id) => ({ questionId: id, prediction: parsed.get(id) ?? '' })));
  }
}
