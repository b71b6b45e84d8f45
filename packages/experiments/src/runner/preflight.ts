import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Container } from 'inversify';
import { canonicalJson, DymuError } from '@dymu/core';
import { inputExists } from '@dymu/benchmarks';
import { resolveSchedule, type EncoderShape } from '@dymu/merging';
import { llavaSelectedBlocks, numPatches, planVitModel, readLlavaConfig, type VitConfig, type VitPresetName } from '@dymu/weights';
import type { Component, Experiment, ModelConfig } from '../config/experiment.ts';
import { problemList } from '../config/check.ts';
import type { Origins } from '../config/origins.ts';
import type { Path } from '../config/tree.ts';
import { lookup } from '../di/lookup.ts';
import { createPolicy } from '../di/resources.ts';
import { DATASETS, POLICIES, RESOURCES, SETTINGS } from '../di/tokens.ts';
import type { PlannedRun } from '../plan/plan.ts';
import { modelVisionTower } from '../resources/models.ts';
import { RunDir } from '../results/run-dir.ts';

/**
 * What every unfinished run of `runs` needs before it computes anything, checked all at once: model
 * directories (a config.json and .safetensors weights), the policy's parameters against the encoder's
 * shape (threshold files and calibration schedules included), each dataset (its files open, its first
 * image's folder exists), each benchmark's files and image folders, the calibration images. Inputs
 * generated on demand (generated models, images and benchmark folders) are made here if they are not
 * in the cache yet, never missing. Returns one message per problem (each naming where the input is
 * configured), each once.
 */
export async function inputProblems(experiment: Experiment, runs: readonly PlannedRun[], container: Container): Promise<string[]> {
  const { results, cache } = container.get(SETTINGS);
  const pending = runs.filter((run) => RunDir.of(results, experiment.name, run.id).status !== 'done');
  const configs = [...new Map(pending.map((run) => [run.config, run])).values()];
  const problems = new Set<string>();
  // a dataset is opened once however many configurations read it (the calibration images of every DyMU row)
  const opened = new Map<string, Promise<void>>();
  const datasetOnce = (dataset: Component, seed: number, origins: Origins): Promise<void> => {
    const key = canonicalJson({ dataset, seed });
    if (!opened.has(key)) opened.set(key, checkDataset(container, dataset, seed, origins));
    return opened.get(key)!;
  };
  for (const run of configs) {
    const where = (path: Path) => run.origins.locate(path);
    const configFiles = run.origins.files();
    /** Runs a check; a problem that does not name the configuration already (a data file's) is named after `path`, where that input is configured. */
    const attempt = async <T>(path: Path, check: () => T | Promise<T>): Promise<T | undefined> => {
      try {
        return await check();
      } catch (error) {
        if (!(error instanceof DymuError)) throw error;
        problems.add(error.file !== undefined && configFiles.has(error.file) ? error.message : new DymuError(error.message, where(path)).message);
        return undefined;
      }
    };
    const { model, policy, dataset, benchmark } = run.config;
    const models = await Promise.all((['encoder', 'llm'] as const).map((key) => attempt(['model', key], () => checkModelDir(model[key], where(['model', key])))));
    const shape = models.every((ok) => ok) ? await attempt(['model'], () => encoderShape(model, cache)) : undefined;
    if (shape) {
      const { name, calibration, like: _, ...params } = policy;
      // a random run `like` another row gets its images' counts when it starts: its other parameters are checked here
      const own = run.reference ? { seed: run.seed ?? 0, ...params, images: [] } : params;
      if (calibration) await attempt(['policy', 'calibration', 'schedule'], () => resolveSchedule(calibration.schedule, shape, calibration.shape));
      else await attempt(['policy'], () => createPolicy(lookup(container, POLICIES, name, 'merge policy'), run, own, { encoder: shape, warn: () => {} }));
    }
    const { calibration } = policy;
    if (calibration) await attempt(['policy', 'calibration', 'dataset'], () => datasetOnce(calibration.dataset, calibration.seed, run.origins.under(['policy', 'calibration', 'dataset'])));
    // a run shared by every seed (seed null) reads a dataset that does not draw from it
    if (dataset) await attempt(['dataset'], () => datasetOnce(dataset, run.seed ?? 0, run.origins.under(['dataset'])));
    if (benchmark) {
      const adapter = await attempt(['benchmark'], () => container.get(RESOURCES).benchmark(run));
      // a benchmark folder that is not there at all is one problem, not one per file in it
      const root = typeof benchmark.root === 'string' && !inputExists({ path: resolve(benchmark.root), kind: 'folder' }) ? resolve(benchmark.root) : undefined;
      if (root !== undefined) problems.add(new DymuError(`${root}: benchmark folder not found`, where(['benchmark', 'root'])).message);
      for (const input of adapter?.inputs?.() ?? []) {
        const inRoot = root !== undefined && resolve(input.path).startsWith(`${root}${sep}`);
        if (!inRoot && !inputExists(input)) problems.add(new DymuError(`${input.path}: ${input.kind} not found`, where(['benchmark'])).message);
      }
    }
  }
  return [...problems];
}

/** Checks the inputs of the runs (see inputProblems) and throws one DymuError listing every problem. */
export async function preflight(experiment: Experiment, runs: readonly PlannedRun[], container: Container): Promise<void> {
  const problems = await inputProblems(experiment, runs, container);
  if (problems.length > 0) throw new DymuError(`${problemList(problems)}\nnothing was computed`, { file: experiment.file });
}

/** A model directory given by path (generated models and absent ones pass): a folder with config.json and .safetensors weights. */
function checkModelDir(ref: ModelConfig['encoder'], where: { file: string; field: string }): true {
  if (typeof ref !== 'string') return true;
  const dir = resolve(ref);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new DymuError(`${dir}: model directory not found`, where);
  if (!existsSync(join(dir, 'config.json'))) throw new DymuError(`${dir}: no config.json (expected a model directory in Hugging Face layout)`, where);
  if (!readdirSync(dir).some((f) => f.endsWith('.safetensors'))) throw new DymuError(`${dir}: no .safetensors weights`, where);
  return true;
}

/**
 * The vision tower's shape as the run loads it (modelVisionTower: a checkpoint's fine-tuned tower
 * has the blocks it holds), its layer selection checked against a LLaVA checkpoint given by path;
 * a generated tower's from its plan (nothing written).
 */
function encoderShape(model: ModelConfig, cache: string): EncoderShape {
  const generated = model.encoder !== null && typeof model.encoder !== 'string' ? model.encoder : undefined;
  let config: VitConfig;
  if (generated) config = planVitModel({ arch: generated.generated as 'clip-vit' | 'siglip-vit', preset: generated.preset as VitPresetName, seed: generated.seed, out: '' }).config;
  else {
    const tower = modelVisionTower(model, cache);
    if (typeof model.llm === 'string') llavaSelectedBlocks(readLlavaConfig(model.llm), tower);
    config = tower.config;
  }
  return { ...config, patches: numPatches(config) };
}

/** A dataset opens with its parameters and its first record's image folder exists. */
async function checkDataset(container: Container, dataset: Component, seed: number, origins: Origins): Promise<void> {
  const { name, ...params } = dataset;
  const { cache } = container.get(SETTINGS);
  const source = await lookup(container, DATASETS, name, 'dataset').open(params, { seed, cache, origins });
  for await (const record of source.records()) {
    const folder = dirname(resolve(record.imagePath));
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new DymuError(`${folder}: image folder not found (it holds ${record.imagePath})`);
    return;
  }
  throw new DymuError('holds no images');
}
