import type { ServiceIdentifier } from 'inversify';
import type { MergePolicy } from '@dymu/core';
import type { ImageSource } from '@dymu/datasets';
import type { Benchmark } from '@dymu/benchmarks';
import type { LoadOptions, VitEncoder } from '@dymu/encoders';
import type { Vlm, VlmLoadOptions } from '@dymu/llm';
import type { PolicyEnv } from '@dymu/merging';
import type { Origins } from '../config/origins.ts';
import type { Resources } from '../resources/resources.ts';
import type { Task } from '../tasks/task.ts';

/**
 * The DI tokens. Each kind of implementation is a multi-binding of named plugins: the container
 * modules in this folder register one plugin per implementation, and `lookup` finds one by name
 * (an unknown name is an error listing the registered ones). Adding an implementation is one
 * class plus one `bind(TOKEN).toConstantValue(plugin)`.
 */
export interface Named {
  readonly name: string;
}

/** A vision tower loader, named by the architecture in config.json (`clip`, `siglip`). */
export interface EncoderPlugin extends Named {
  load(dir: string, options: LoadOptions): Promise<VitEncoder>;
}

/** A merge policy by name; `create` validates the parameters (errors name the field). */
export interface PolicyPlugin extends Named {
  create(params: Readonly<Record<string, unknown>>, env: PolicyEnv): MergePolicy;
}

export interface DatasetContext {
  /** The run's seed (a dataset that draws or generates images uses it unless given its own). */
  readonly seed: number;
  readonly cache: string;
  /** Where each field of the dataset entry was written (`origins.locate(['dir'])`), for errors. */
  readonly origins: Origins;
}

/** An image dataset by name: `open` validates the parameters and returns its records. */
export interface DatasetPlugin extends Named {
  open(params: Readonly<Record<string, unknown>>, context: DatasetContext): ImageSource | Promise<ImageSource>;
}

export interface BenchmarkPlugin extends Named {
  /** `origins`: where each field of the benchmark entry was written, for errors. */
  open(params: Readonly<Record<string, unknown>>, origins: Origins): Benchmark;
}

/** A VLM loader by kind (`llava`: LLaVA-1.5 / OneVision checkpoints). */
export interface VlmPlugin extends Named {
  load(dir: string, options: VlmLoadOptions): Promise<Vlm>;
}

/** Where caches and results go. */
export interface Settings {
  /** Generated models and images, calibrated thresholds. */
  readonly cache: string;
  readonly results: string;
  /** Warnings (e.g. a threshold file of other weights used with force). */
  readonly warn: (message: string) => void;
  /** Where progress bars go (stderr). */
  readonly progress: NodeJS.WriteStream;
  /** Discard the checkpoints of unfinished calibrations and start them over (`dymu run --restart-calibrations`). */
  readonly restartCalibrations: boolean;
}

export const ENCODERS: ServiceIdentifier<EncoderPlugin> = Symbol.for('dymu.encoders');
export const POLICIES: ServiceIdentifier<PolicyPlugin> = Symbol.for('dymu.policies');
export const DATASETS: ServiceIdentifier<DatasetPlugin> = Symbol.for('dymu.datasets');
export const BENCHMARKS: ServiceIdentifier<BenchmarkPlugin> = Symbol.for('dymu.benchmarks');
export const VLMS: ServiceIdentifier<VlmPlugin> = Symbol.for('dymu.vlms');
export const TASKS: ServiceIdentifier<Task> = Symbol.for('dymu.tasks');
export const RESOURCES: ServiceIdentifier<Resources> = Symbol.for('dymu.resources');
export const SETTINGS: ServiceIdentifier<Settings> = Symbol.for('dymu.settings');
