import type { WeightFormat } from '@dymu/core';
/** The validated shapes of an experiment file (see docs/experiments.md for the file format). */
import type { Origins } from './origins.ts';

/** Vision towers (`makeVitModel`) and LLaVA checkpoints with their own tiny vision tower (`makeVlmModel`). */
export const GENERATED_ENCODERS = ['clip-vit', 'siglip-vit'] as const;
export const GENERATED_VLMS = ['llama', 'qwen2'] as const;

/** A model generated with deterministic weights, materialised once into the cache. */
export interface GeneratedModel {
  readonly generated: (typeof GENERATED_ENCODERS)[number] | (typeof GENERATED_VLMS)[number];
  readonly preset: string;
  readonly seed: number;
}

/** A model directory in Hugging Face layout, or a generated model. */
export type ModelRef = string | GeneratedModel;

export interface ModelConfig {
  /** The vision tower (null: the LLaVA checkpoint's own, its `mm_vision_tower`). */
  readonly encoder: ModelRef | null;
  /** A LLaVA checkpoint (for tasks that answer questions), or null. */
  readonly llm: ModelRef | null;
  /** `llava`: penultimate block, class token dropped (what LLaVA takes); `last`: the model's last hidden state. */
  readonly features: 'llava' | 'last';
  /**
   * true: LLaVA-1.5's pad-to-square with the mean colour; false: the image as it is. Without an llm
   * it defaults to true (@dymu/encoders' DEFAULT_PREPROCESS, as every command); with one it is absent
   * unless given: the VLM's own (its image_aspect_ratio).
   */
  readonly pad?: boolean;
  /** The LLM's linear layers quantised while loading (int8 / int4); absent: float32, the reference. */
  readonly llmWeights?: Exclude<WeightFormat, 'float32'>;
  /** Frames sampled uniformly from each video (Video-MME, MMBench-Video); absent: OneVision's 32 (and run ids as before). */
  readonly videoFrames?: number;
}

/** A registered implementation by name with its parameters (policy, dataset, benchmark). */
export type Component = { readonly name: string } & Readonly<Record<string, unknown>>;

/** DToMe thresholds to calibrate once per encoder and cache as a threshold file. */
export interface CalibrationSpec {
  /** low | mid | high, or a JSON file with the list of r_i. */
  readonly schedule: string;
  readonly shape: 'constant' | 'linear' | 'reverse_linear';
  /** The unlabelled images. */
  readonly dataset: Component;
  /** Images sampled from the dataset (null: all). */
  readonly count: number | null;
  readonly batch: number;
  readonly seed: number;
  /** The official recipe: the first `count` images in the dataset's order (then shuffled), not `count` drawn from all. Absent: drawn. */
  readonly first?: true;
  /** How a batch lays out its merged tokens for the next blocks (DYMU.md §3b): `official`, or compact when absent. */
  readonly layout?: 'official';
}

/** A merge policy; `calibration` (resolved by the runner into a threshold `file`) when it needs calibrated thresholds. */
export type PolicyConfig = Component & { readonly calibration?: CalibrationSpec };

export type InputKind = 'dataset' | 'benchmark';

/**
 * Everything that decides a run's rows, fully resolved: the run id is a hash of this and the seed.
 * Exactly one of `dataset` and `benchmark` is set.
 */
export interface RunConfig {
  readonly task: string;
  readonly model: ModelConfig;
  readonly policy: PolicyConfig;
  readonly vtu: boolean;
  readonly dataset?: Component;
  readonly benchmark?: Component;
  /** Samples per run (null: all). */
  readonly limit: number | null;
}

export interface MetricColumn {
  /** A summary metric, or one per dataset/benchmark label (`{ GQA: accuracy, MME: perception }`). */
  readonly metric: string | Readonly<Record<string, string>>;
  readonly label: string;
}

/** A table: rows = configs, columns = metrics (per dataset/benchmark when there are several), cells = mean ± std over seeds. */
export interface TableSpec {
  readonly name: string;
  readonly title: string | null;
  /** Run-config paths (or sweep keys) whose values label a row. */
  readonly rows: readonly string[];
  readonly metrics: readonly MetricColumn[];
  /** One more column per metric: per seed the mean over the datasets/benchmarks, then mean ± std over seeds. */
  readonly average: boolean;
  /** The visual-token metric shown as the last column the same way (null: none). */
  readonly tokens: string | null;
  readonly digits: number;
}

export interface Execution {
  /** Images per encoder batch. */
  readonly batch: number;
  /** Rows per committed chunk file. */
  readonly chunk: number;
}

/** One configuration of the experiment (a sweep point × an input), before seeds. */
export interface ConfigPoint {
  readonly config: RunConfig;
  /** The input's own seeds (`seeds:` in a dataset/benchmark entry), instead of the experiment's. */
  readonly seeds?: readonly number[];
  /** A label per sweep key and per input kind (`dataset` / `benchmark`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Where each field of `config` was written, by its path in the config (`policy.r`, `benchmark.root`), for errors raised when the run starts. */
  readonly origins: Origins;
}

/** `paper:`: the table of the paper this experiment reproduces, and which of its rows ours are. */
export interface PaperSpec {
  /** The reported numbers (a CSV in the form of `paper/dymu-reported.csv`), absolute. */
  readonly reported: string;
  /** The paper's table number, as in the CSV's `table` column. */
  readonly table: string;
  /** Names the output files (`results/<experiment>/tables/<name>.{md,csv,tex}`). */
  readonly name: string;
  readonly title: string | null;
  /** Our row label (the sweep labels joined by ", ") → the CSV fields that pick the paper's row. */
  readonly rows: readonly { readonly label: string; readonly match: Readonly<Record<string, string>> }[];
}

export interface Experiment {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly points: readonly ConfigPoint[];
  readonly seeds: readonly number[];
  readonly tables: readonly TableSpec[];
  readonly execution: Execution;
  /** The sweep keys, in order (they label the rows). */
  readonly sweepKeys: readonly string[];
  readonly paper: PaperSpec | null;
  /** The command-line overrides the experiment was loaded with (printed in commands that fill missing runs). */
  readonly overrides: readonly string[];
}

/** The names the container has registered, for validation. */
export interface Known {
  readonly tasks: Readonly<Record<string, { readonly inputs: readonly InputKind[] }>>;
  readonly policies: readonly string[];
  readonly datasets: readonly string[];
  readonly benchmarks: readonly string[];
}
