import type { Judge, JudgeConfig } from './judge.ts';

/** A value that fits one column of a result row. */
export type Cell = string | number | boolean | null;

/** An image file, or the image bytes base64-encoded (MMBench ships its images inside the TSV). */
export type ImageSource = string | { base64: string };

/** A video file (Video-MME, MMBench-Video): the model sees frames sampled from it. */
export interface VideoSource {
  video: string;
}

/** What a question is about: an image, or a video. */
export type Visual = ImageSource | VideoSource;

/** Whether a sample's visual is a video. */
export const isVideo = (visual: Visual): visual is VideoSource => typeof visual === 'object' && 'video' in visual;

/** One question to put to the model. */
export interface BenchmarkSample {
  id: string;
  /** The image (or, for the video benchmarks, the video) the question is about. */
  image: Visual;
  /**
   * The user turn as LLaVA-1.5's evaluation writes it, without the image token: the chat template puts
   * `<image>\n` before it, as LLaVA's `model_vqa*.py` do.
   */
  prompt: string;
  /** Storable facts about the sample (category, split, question type, …); never the ground truth. */
  meta: Record<string, Cell>;
}

/** The model's raw answer to one sample. */
export interface Prediction {
  id: string;
  answer: string;
}

/**
 * One scored prediction, storable as a row. `score` is the sample's own score: 1 / 0 for right / wrong, the
 * VQA accuracy in [0, 1], the MM-Vet grade in [0, 1], the LLaVA-Bench review score of the model (1–10, −1 when
 * the review was unreadable), the MMBench-Video judge score (0–3, −1 when unreadable). `parsed` is the answer as the rules read it.
 */
export interface SampleScore {
  id: string;
  score: number;
  parsed: Cell;
  [field: string]: Cell;
}

export interface BenchmarkScores {
  benchmark: string;
  split: string;
  /** Named metrics: percentages (as the papers report them) unless the name says otherwise; always `count` and `missing_images`. */
  metrics: Record<string, number>;
  rows: SampleScore[];
  /** Images the official files name but that were not found, so their samples were skipped. */
  missingImages: string[];
  /** Why nothing was scored (a judge benchmark without a judge). */
  skipped?: string;
}

/** A file or folder a benchmark reads (`folder`: its images). */
export interface BenchmarkInput {
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

export interface Benchmark<P extends Cell = Cell> {
  readonly name: string;
  readonly split: string;
  /**
   * The files and image folders it will read with its options, known without reading any (a run
   * checks that they exist before it computes anything). Adapters that cannot tell leave it out.
   */
  inputs?(): readonly BenchmarkInput[];
  /** The samples in file order; those whose image is missing are skipped and listed in `missingImages`. */
  samples(options?: { limit?: number }): AsyncIterable<BenchmarkSample>;
  /** The answer as the official rules read it (what goes into the submission file). */
  parse(prediction: Prediction): P;
  /** Scores by the official rules; judge benchmarks call their judge. */
  score(predictions: readonly Prediction[]): Promise<BenchmarkScores>;
  /** Writes the predictions in the benchmark's own submission / evaluator format. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void;
  readonly missingImages: readonly string[];
}

/** What every factory takes; adapters add their own optional fields. */
export interface BenchmarkOptions {
  /** The directory holding the official files (see the README for each benchmark's layout). */
  root: string;
  split?: string;
  /** Where the images are, when not in the default place under `root`. */
  imageDir?: string;
  /** MM-Vet, LLaVA-Bench, MathVista (when its rules cannot read an answer), MMBench-Video: the model that grades answers. */
  judge?: Judge | JudgeConfig;
}

export type BenchmarkFactory = (options: BenchmarkOptions) => Benchmark;
