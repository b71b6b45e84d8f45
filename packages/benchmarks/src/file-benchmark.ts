import { existsSync } from 'node:fs';
import { DymuError } from '@dymu/core';
import { type Benchmark, type BenchmarkInput, type BenchmarkSample, type BenchmarkScores, type Cell, isVideo, type Prediction, type SampleScore, type Visual } from './types.ts';

/** The split option checked against the splits a benchmark has (options come from experiment files). */
export function pickSplit<T extends string>(benchmark: string, split: string | undefined, allowed: readonly T[], fallback: T): T {
  if (split === undefined) return fallback;
  if ((allowed as readonly string[]).includes(split)) return split as T;
  throw new DymuError(`${benchmark} has no split "${split}"; expected ${allowed.map((a) => `"${a}"`).join(', ')}`, { field: 'split' });
}

/** A sample as an adapter reads it from the official files, with whatever it needs to score it. */
export interface Item {
  id: string;
  image: Visual;
  prompt: string;
  meta: Record<string, Cell>;
}

/**
 * What the adapters share: the official files are read once on first use, samples skip (and record) missing
 * images, predictions are matched to items by id.
 */
export abstract class FileBenchmark<I extends Item, P extends Cell> implements Benchmark<P> {
  abstract readonly name: string;
  abstract readonly split: string;
  /** The main official file, named in errors about predictions. */
  protected abstract readonly source: string;
  private loaded?: Map<string, I>;
  private readonly missing = new Set<string>();

  protected abstract load(): I[];
  /** Reads what can only be read asynchronously (Video-MME's parquet) before `load` runs; `samples` awaits it. */
  protected async prepare(): Promise<void> {}
  abstract inputs(): BenchmarkInput[];
  abstract parse(prediction: Prediction): P;
  abstract score(predictions: readonly Prediction[]): Promise<BenchmarkScores>;
  abstract writeSubmission(predictions: readonly Prediction[], outPath: string): void;

  get missingImages(): string[] {
    return [...this.missing];
  }

  async *samples(options: { limit?: number } = {}): AsyncGenerator<BenchmarkSample> {
    const limit = options.limit ?? Infinity;
    let count = 0;
    await this.prepare();
    for (const { id, image, prompt, meta } of this.items().values()) {
      if (count >= limit) break;
      const file = typeof image === 'string' ? image : isVideo(image) ? image.video : undefined;
      if (file !== undefined && !existsSync(file)) {
        this.missing.add(file);
        continue;
      }
      count++;
      yield { id, image, prompt, meta };
    }
    if (this.missing.size > 0) {
      process.stderr.write(`${this.name}: ${this.missing.size} image(s) or video(s) not found, skipped (first: ${this.missingImages[0]})\n`);
    }
  }

  /** Every item, by id, in file order. */
  protected items(): Map<string, I> {
    if (this.loaded === undefined) {
      const loaded = new Map<string, I>();
      for (const item of this.load()) {
        if (loaded.has(item.id)) throw new DymuError(`sample id "${item.id}" occurs twice`, { file: this.source });
        loaded.set(item.id, item);
      }
      this.loaded = loaded;
    }
    return this.loaded;
  }

  /** The item a prediction answers; an unknown id is an error (at `field`, when given). */
  protected itemOf(prediction: Prediction, field?: string): I {
    const item = this.items().get(prediction.id);
    if (item === undefined) throw new DymuError(`no sample "${prediction.id}" in this benchmark`, { file: this.source, ...(field === undefined ? {} : { field }) });
    return item;
  }

  /** Each prediction with its item; an unknown or repeated id is an error. */
  protected answered(predictions: readonly Prediction[]): { item: I; prediction: Prediction }[] {
    const seen = new Set<string>();
    return predictions.map((prediction, i) => {
      const field = `predictions[${i}].id`;
      const item = this.itemOf(prediction, field);
      if (seen.has(prediction.id)) throw new DymuError(`sample "${prediction.id}" is predicted twice`, { file: this.source, field });
      seen.add(prediction.id);
      return { item, prediction };
    });
  }

  /** The parsed answer per id, for submissions (which list every item; unanswered ones get ''). */
  protected parsedById(predictions: readonly Prediction[]): Map<string, P> {
    return new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, this.parse(prediction)]));
  }

  /** Scores of a benchmark that could not be scored, with the reason (also printed). */
  protected skipped(reason: string): BenchmarkScores {
    process.stderr.write(`${this.name}: ${reason}\n`);
    return { ...this.result({}, []), skipped: reason };
  }

  protected result(metrics: Record<string, number>, rows: SampleScore[]): BenchmarkScores {
    return {
      benchmark: this.name,
      split: this.split,
      metrics: { ...metrics, count: rows.length, missing_images: this.missing.size },
      rows,
      missingImages: this.missingImages,
    };
  }
}
