import { basename } from 'node:path';
import type { Container } from 'inversify';
import { DymuError, type MergePolicy } from '@dymu/core';
import type { Benchmark } from '@dymu/benchmarks';
import { sampleImages, type ImageRecord } from '@dymu/datasets';
import { LLAVA_FEATURES, lastHiddenState, llavaFeatures, type FeatureSelection, type Preprocess, type VitEncoder } from '@dymu/encoders';
import type { Vlm } from '@dymu/llm';
import { weightsSha256, type PolicyEnv } from '@dymu/merging';
import { SessionPool } from '@dymu/onnx';
import { readLlavaConfig, type VisionTower } from '@dymu/weights';
import type { Component, ModelConfig } from '../config/experiment.ts';
import { Check } from '../config/check.ts';
import { relocated, type Origins } from '../config/origins.ts';
import type { PlannedRun } from '../plan/plan.ts';
import { benchmarkFixture } from '../resources/benchmark-fixtures.ts';
import { CALIBRATION_FEATURES, calibratedThresholds } from '../resources/calibration.ts';
import { modelDir, modelPreprocess, modelVisionTower } from '../resources/models.ts';
import { sampleImage } from '../resources/sample-image.ts';
import { referenceCounts } from '../resources/reference-counts.ts';
import type { BatchPolicy, Resources, SampleImage } from '../resources/resources.ts';
import { lookup } from './lookup.ts';
import { BENCHMARKS, DATASETS, type DatasetContext, ENCODERS, POLICIES, VLMS, type PolicyPlugin, type Settings } from './tokens.ts';

/** Resources built from the plugins registered in a container (see Resources). */
export class ContainerResources implements Resources {
  private readonly encoders = new Map<string, Promise<VitEncoder>>();
  private readonly vlms = new Map<string, Promise<Vlm>>();
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly pool = new SessionPool();

  constructor(
    private readonly container: Container,
    private readonly settings: Settings,
  ) {}

  /** The tower the model's VLM uses (modelVisionTower); `llava` features: as its checkpoint's config selects them, else LLAVA_FEATURES. */
  encoder(model: ModelConfig): Promise<VitEncoder> {
    const tower = modelVisionTower(model, this.settings.cache);
    if (model.features === 'last') return this.load(tower, lastHiddenState(tower.config));
    return this.load(tower, model.llm === null ? LLAVA_FEATURES : llavaFeatures(readLlavaConfig(modelDir(model.llm, this.settings.cache)), tower));
  }

  preprocess(model: ModelConfig): Preprocess {
    return modelPreprocess(model, this.settings.cache);
  }

  async policy(run: PlannedRun, encoder: VitEncoder): Promise<BatchPolicy> {
    const { name, calibration: _, like: __, ...params } = run.config.policy;
    const plugin = lookup(this.container, POLICIES, name, 'merge policy');
    const shape = { ...encoder.config, patches: encoder.patches };
    const file = await this.calibration(run, encoder);
    const hash = file !== undefined || params.file !== undefined ? await this.weightsHash(encoder.tower.weightsDir) : undefined;
    const env = { encoder: { ...shape, weightsSha256: hash, dir: encoder.dir }, warn: this.settings.warn };
    if (run.reference) {
      const counts = referenceCounts(this.settings.results, run);
      const seed = params.seed ?? run.seed;
      return (ids) => createPolicy(plugin, run, { ...params, seed, images: ids.map((key) => ({ key, blockCounts: counts(key) })) }, env);
    }
    const policy = createPolicy(plugin, run, file ? { ...params, file } : params, env);
    return () => policy;
  }

  async calibration(run: PlannedRun, encoder: VitEncoder): Promise<string | undefined> {
    const { calibration } = run.config.policy;
    if (calibration === undefined) return undefined;
    return calibratedThresholds({
      spec: calibration,
      model: { name: basename(encoder.tower.weightsDir), weightsSha256: await this.weightsHash(encoder.tower.weightsDir), shape: { ...encoder.config, patches: encoder.patches }, pad: this.preprocess(run.config.model) === 'pad' },
      cache: this.settings.cache,
      images: () => this.records(calibration.dataset, calibration.seed, run.origins.under(['policy', 'calibration', 'dataset']), calibration.first ? (calibration.count ?? undefined) : undefined),
      encoder: () => this.load(encoder.tower, CALIBRATION_FEATURES),
      progress: this.settings.progress,
      restart: this.settings.restartCalibrations,
    });
  }

  async images(run: PlannedRun): Promise<SampleImage[]> {
    const { dataset, limit } = run.config;
    if (!dataset) {
      const images: SampleImage[] = [];
      for await (const s of (await this.benchmark(run)).samples({ limit: limit ?? undefined })) {
        images.push({ id: s.id, image: sampleImage(s), group: '' });
      }
      return images;
    }
    const records = await this.records(dataset, run.seed, run.origins.under(['dataset']));
    // A limit draws from the seed, so such a run is planned with one (plan/seed-use.ts).
    const chosen = limit === null ? records : await sample(records, limit, run.seed!);
    return chosen.map((r) => ({ id: r.id, image: r.imagePath, group: typeof r.group === 'string' ? r.group : '' }));
  }

  /** The run's benchmark; `root: { generated: fixture, seed? }` is a generated fixture folder, null options are left out. */
  async benchmark(run: PlannedRun): Promise<Benchmark> {
    const { name, ...params } = run.config.benchmark!;
    const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null));
    const origins = run.origins.under(['benchmark']);
    const root = given.root;
    if (root !== null && typeof root === 'object' && (root as Record<string, unknown>).generated === 'fixture') {
      const check = new Check(origins);
      const fixture = check.record(root, ['root'], ['generated', 'seed']);
      const seed = fixture.seed === undefined ? 0 : check.integer(fixture.seed, ['root', 'seed']);
      given.root = await benchmarkFixture(name, seed, this.settings.cache);
    }
    return lookup(this.container, BENCHMARKS, name, 'benchmark').open(given, origins);
  }

  vlm(model: ModelConfig): Promise<Vlm> {
    if (model.llm === null) throw new DymuError('missing: answering questions needs a LLaVA checkpoint (a directory, or { generated: llama | qwen2, preset, seed })', { field: 'model.llm' });
    const dir = modelDir(model.llm, this.settings.cache);
    const visionTower = model.encoder === null ? undefined : modelDir(model.encoder, this.settings.cache);
    const key = `${dir}|${visionTower}|${model.llmWeights ?? 'float32'}`;
    const options = { visionTower, pool: this.pool, weights: model.llmWeights, cacheDir: this.settings.cache };
    if (!this.vlms.has(key)) this.vlms.set(key, lookup(this.container, VLMS, 'llava', 'VLM').load(dir, options));
    return this.vlms.get(key)!;
  }

  private load(tower: VisionTower, features: FeatureSelection): Promise<VitEncoder> {
    const key = `${tower.configDir}|${tower.weightsDir}|${JSON.stringify(features)}`;
    if (!this.encoders.has(key)) {
      const checkpoint = tower.fromCheckpoint ? tower.store : undefined;
      this.encoders.set(key, lookup(this.container, ENCODERS, tower.config.arch, 'encoder architecture').load(tower.configDir, { features, pool: this.pool, checkpoint }));
    }
    return this.encoders.get(key)!;
  }

  private weightsHash(dir: string): Promise<string> {
    if (!this.hashes.has(dir)) this.hashes.set(dir, weightsSha256(dir));
    return this.hashes.get(dir)!;
  }

  /**
   * A dataset's records in order (the first `limit` when given). `seed` null: the run is shared by
   * every seed, and a dataset that reads the seed anyway (one missing from SEEDED_DATASETS) is an error.
   */
  private async records(dataset: Component, seed: number | null, origins: Origins, limit = Infinity): Promise<ImageRecord[]> {
    const { name, ...params } = dataset;
    const context: DatasetContext = {
      cache: this.settings.cache,
      origins,
      get seed(): number {
        if (seed !== null) return seed;
        throw new DymuError(`dataset ${JSON.stringify(name)} draws from the run's seed, but the run was planned as shared by every seed: add it to SEEDED_DATASETS (packages/experiments/src/plan/seed-use.ts)`, origins.locate([]));
      },
    };
    const source = await lookup(this.container, DATASETS, name, 'dataset').open(params, context);
    const records: ImageRecord[] = [];
    for await (const record of source.records()) {
      if (records.length >= limit) break;
      records.push(record);
    }
    return records;
  }
}

/** The run's policy from its plugin; errors about its parameters name where each was written (`sweep.policy.ToMe.schedul`). */
export function createPolicy(plugin: PolicyPlugin, run: PlannedRun, params: Readonly<Record<string, unknown>>, env: Omit<PolicyEnv, 'source'>): MergePolicy {
  const source = run.origins.get(['policy']).file;
  try {
    return plugin.create(params, { ...env, source });
  } catch (error) {
    throw relocated(error, source, plugin.name, run.origins, ['policy']);
  }
}

/** `limit` records drawn with @dymu/datasets' seeded sampler (images that are missing are skipped), with all their fields. */
async function sample(records: readonly ImageRecord[], limit: number, seed: number): Promise<ImageRecord[]> {
  const byPath = new Map<string, ImageRecord>();
  for (const r of records) if (!byPath.has(r.imagePath)) byPath.set(r.imagePath, r);
  const source = { name: 'input', records: async function* () { yield* byPath.values(); } };
  const { images } = await sampleImages([source], { count: limit, seed });
  return images.map((r) => byPath.get(r.imagePath)!);
}
