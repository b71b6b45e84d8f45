import { WEIGHT_FORMATS, type WeightFormat } from '@dymu/core';
import { DEFAULT_PREPROCESS } from '@dymu/encoders';
import { basename, extname } from 'node:path';
import { DymuError } from '@dymu/core';
import { Check, problemList } from './check.ts';
import { GENERATED_ENCODERS, GENERATED_VLMS, type CalibrationSpec, type Component, type ConfigPoint, type Execution, type Experiment, type GeneratedModel, type Known, type ModelConfig, type ModelRef, type PolicyConfig, type RunConfig } from './experiment.ts';
import { interpolate } from './interpolate.ts';
import { paperSpec } from './paper-spec.ts';
import { NAME, tableSpec } from './table-spec.ts';
import { formatValue } from './label.ts';
import { Origins, type Layered } from './origins.ts';
import { applyPoint, sweepAxes, sweepPoints, type SweepPoint } from './sweep.ts';
import { isRecord, type Path } from './tree.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const TOP_LEVEL = ['name', 'description', 'models', 'data', 'task', 'model', 'policy', 'vtu', 'datasets', 'benchmarks', 'limit', 'seeds', 'sweep', 'calibration', 'tables', 'execution', 'preset', 'presets', 'only', 'paper'];
/** The fields whose `${...}` are resolved (the location tables `models` and `data` only when referenced). */
const RESOLVED = ['name', 'description', 'task', 'model', 'policy', 'vtu', 'datasets', 'benchmarks', 'limit', 'seeds', 'calibration', 'tables', 'execution', 'paper'];
const DEFAULT_SEEDS = [0, 1, 2];

/**
 * Validates a composed experiment (extends, preset and overrides applied) and expands its sweep:
 * one ConfigPoint per sweep point (those `only` keeps) and dataset/benchmark. `file` names the
 * experiment (its default name).
 */
export function validateExperiment(config: Layered, file: string, known: Known, env: Env): Omit<Experiment, 'overrides'> {
  const check = new Check(config.origins);
  check.record(config.tree, [], TOP_LEVEL);
  const axes = sweepAxes(config);
  const points = sweepPoints(axes);
  const first = resolved(applyPoint(config, points[0]), env);
  const name = first.name === undefined ? basename(file, extname(file)) : check.string(first.name, ['name']);
  if (!NAME.test(name)) check.fail(['name'], `expected letters, digits, '.', '_' or '-' (it names the results directory), got ${JSON.stringify(name)}`);
  const keys = axes.map((a) => a.key);
  const kept = only(config.tree.only, axes, check);
  return {
    name,
    file,
    description: first.description === undefined ? '' : check.string(first.description, ['description']),
    points: everyPoint(points.filter(kept), file, (point) => {
      const layered = applyPoint(config, point);
      return runConfigs(resolved(layered, env), layered.origins, known).map((p) => ({ ...p, labels: { ...point.labels, ...p.labels } }));
    }),
    seeds: seeds(first.seeds, ['seeds'], check),
    tables: first.tables === undefined ? [] : check.list(first.tables, ['tables']).map((t, i) => tableSpec(t, ['tables', i], check, keys)),
    execution: execution(first.execution, check),
    sweepKeys: keys,
    paper: first.paper === undefined || first.paper === null ? null : paperSpec(first.paper, check, config.origins, points.map((p) => keys.map((k) => p.labels[k]).join(', '))),
  };
}

/** The configurations of every sweep point; the problems of several points are reported together (one error listing each once). */
function everyPoint(points: readonly SweepPoint[], file: string, configs: (point: SweepPoint) => ConfigPoint[]): ConfigPoint[] {
  const errors: DymuError[] = [];
  const out = points.flatMap((point) => {
    try {
      return configs(point);
    } catch (error) {
      if (!(error instanceof DymuError)) throw error;
      if (!errors.some((e) => e.message === error.message)) errors.push(error);
      return [];
    }
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new DymuError(problemList(errors.map((e) => e.message)), { file });
  return out;
}

/** `only: { <sweep key>: label | [labels] }` keeps the sweep points with those labels (e.g. one row of a table). */
function only(value: unknown, axes: readonly { key: string; values: readonly { label: string }[] }[], check: Check): (point: { labels: Readonly<Record<string, string>> }) => boolean {
  if (value === undefined || value === null) return () => true;
  const wanted = Object.entries(check.record(value, ['only'])).map(([key, labels]) => {
    const axis = axes.find((a) => a.key === key) ?? check.fail(['only', key], `not a sweep key (expected one of ${axes.map((a) => a.key).join(', ') || 'none: the file has no sweep'})`);
    const list = (Array.isArray(labels) ? labels : [labels]).map((l, i) => {
      const label = typeof l === 'string' ? l : formatValue(l);
      if (!axis.values.some((v) => v.label === label)) check.fail(Array.isArray(labels) ? ['only', key, i] : ['only', key], `sweep.${key} has no value labelled ${JSON.stringify(label)} (labels: ${axis.values.map((v) => v.label).join(', ')})`);
      return label;
    });
    return { key, list };
  });
  return (point) => wanted.every(({ key, list }) => list.includes(point.labels[key]));
}

function resolved(config: Layered, env: Env): Record<string, unknown> {
  return Object.fromEntries(RESOLVED.filter((key) => key in config.tree).map((key) => [key, interpolate(config.tree, [key], config.origins, env)]));
}

/**
 * The run configurations of one sweep point, one per input (or one without inputs), each with the
 * origins of its fields by their path in the run config (`policy.r`, `benchmark.root`, `model.encoder`,
 * `policy.calibration.count`): where the user wrote each, for errors raised when the run starts.
 */
function runConfigs(tree: Record<string, unknown>, origins: Origins, known: Known): ConfigPoint[] {
  const check = new Check(origins);
  const task = tree.task === undefined ? 'tokens' : check.string(tree.task, ['task']);
  if (!Object.hasOwn(known.tasks, task)) check.fail(['task'], `unknown task ${JSON.stringify(task)} (expected one of ${Object.keys(known.tasks).join(', ')})`);
  if (tree.model === undefined) check.fail(['model'], 'missing (expected { encoder: DIR or { generated, preset, seed }, llm?: … })');
  const fields = Origins.at(origins.get([]));
  for (const key of ['model', 'policy']) fields.replace([key], tree[key], (sub) => origins.get([key, ...sub]));
  const base = {
    task,
    model: model(tree.model, check),
    policy: policy(tree.policy ?? 'none', tree.calibration, check, known, fields),
    vtu: tree.vtu === undefined ? true : check.boolean(tree.vtu, ['vtu']),
    limit: tree.limit === undefined || tree.limit === null ? null : check.integer(tree.limit, ['limit'], 1),
  };
  const accepted = known.tasks[task].inputs;
  const inputs = (['dataset', 'benchmark'] as const).flatMap((kind) => {
    const field = `${kind}s`;
    if (tree[field] === undefined || tree[field] === null) return []; // null drops a list a base file gave
    if (!accepted.includes(kind)) check.fail([field], accepted.length === 0 ? `the ${task} task takes no datasets or benchmarks` : `the ${task} task takes ${accepted.map((k) => `${k}s`).join(' or ')}`);
    const names = kind === 'dataset' ? known.datasets : known.benchmarks;
    return labelled(tree[field], [field], check).map(({ label, value, path }) => {
      const { seeds: own, ...c } = component(value, path, check, names, kind);
      return { kind, label, path, value, component: c as Component, seeds: own === undefined ? undefined : seeds(own, [...path, 'seeds'], check) };
    });
  });
  if (accepted.length === 0) return [{ config: base as RunConfig, labels: {}, origins: fields }];
  if (inputs.length === 0) check.fail([], `name ${accepted.map((k) => `${k}s`).join(' or ')} for the ${task} task`);
  return inputs.map(({ kind, label, path, value, component: c, seeds: own }) => {
    const inputFields = fields.clone();
    inputFields.replace([kind], value, (sub) => origins.get([...path, ...sub]));
    return {
      config: { ...base, [kind]: c } as RunConfig,
      ...(own === undefined ? {} : { seeds: own }),
      labels: { [kind]: label },
      origins: inputFields,
    };
  });
}

function model(value: unknown, check: Check): ModelConfig {
  const m = check.record(value, ['model'], ['encoder', 'llm', 'features', 'pad', 'llmWeights', 'videoFrames']);
  const llm = m.llm === undefined || m.llm === null ? null : modelRef(m.llm, ['model', 'llm'], GENERATED_VLMS, check);
  if (llm === null && m.encoder === undefined) check.fail(['model', 'encoder'], 'missing: a vision tower directory or { generated: clip-vit | siglip-vit, preset, seed } (or an llm with its own)');
  return {
    encoder: m.encoder === undefined || m.encoder === null ? null : modelRef(m.encoder, ['model', 'encoder'], GENERATED_ENCODERS, check),
    llm,
    features: m.features === undefined ? 'llava' : check.oneOf(m.features, ['llava', 'last'] as const, ['model', 'features']),
    ...(m.pad !== undefined ? { pad: check.boolean(m.pad, ['model', 'pad']) } : llm === null ? { pad: DEFAULT_PREPROCESS === 'pad' } : {}),
    ...quantized(m.llmWeights === undefined ? 'float32' : check.oneOf(m.llmWeights, WEIGHT_FORMATS, ['model', 'llmWeights'])),
    ...(m.videoFrames === undefined ? {} : { videoFrames: check.integer(m.videoFrames, ['model', 'videoFrames'], 1) }),
  };
}

/** `llmWeights` only when quantised: float32, the default, leaves the resolved config (and so every float32 run id) as it was. */
function quantized(format: WeightFormat): { llmWeights?: Exclude<WeightFormat, 'float32'> } {
  return format === 'float32' ? {} : { llmWeights: format };
}

function modelRef(value: unknown, path: Path, generated: readonly GeneratedModel['generated'][], check: Check): ModelRef {
  if (typeof value === 'string' && value !== '') return value;
  if (!isRecord(value)) check.fail(path, `expected a model directory or { generated: ${generated.join(' | ')}, preset, seed }, got ${JSON.stringify(value) ?? 'nothing'}`);
  const g = check.record(value, path, ['generated', 'preset', 'seed']);
  return {
    generated: check.oneOf(g.generated, generated, [...path, 'generated']),
    preset: g.preset === undefined ? 'tiny' : check.string(g.preset, [...path, 'preset']),
    seed: g.seed === undefined ? 0 : check.integer(g.seed, [...path, 'seed']),
  };
}

/** `name` or `{ name, ...params }`; the parameters are the implementation's to validate. */
function component(value: unknown, path: Path, check: Check, known: readonly string[], what: string): Component {
  const c = typeof value === 'string' ? { name: value } : check.record(value, path);
  const namePath = typeof value === 'string' ? path : [...path, 'name'];
  const name = check.string(c.name, namePath);
  if (!known.includes(name)) check.fail(namePath, `unknown ${what} ${JSON.stringify(name)} (expected one of ${known.join(', ')})`);
  return { ...c, name };
}

/**
 * A merge policy. `calibration: {...}` (over the experiment's `calibration:` defaults) or its short
 * form `variant: low | mid | high` asks for thresholds calibrated on the run's encoder; the runner
 * turns it into the threshold file (`file:`) the policy takes.
 */
function policy(value: unknown, defaults: unknown, check: Check, known: Known, fields: Origins): PolicyConfig {
  const { variant, calibration, ...rest } = component(value, ['policy'], check, known.policies, 'merge policy');
  if (variant === undefined && calibration === undefined) return rest as Component;
  if (variant !== undefined && calibration !== undefined) check.fail(['policy'], 'give either variant or calibration');
  const own = variant !== undefined ? { schedule: check.string(variant, ['policy', 'variant']) } : check.record(calibration, ['policy', 'calibration']);
  const base = defaults === undefined ? {} : check.record(defaults, ['calibration']);
  const at = (key: string): Path => (key in own ? (variant !== undefined ? ['policy', 'variant'] : ['policy', 'calibration', key]) : ['calibration', key]);
  const merged = { ...base, ...own };
  for (const key of Object.keys(merged)) fields.replace(['policy', 'calibration', key], merged[key], (sub) => check.origin([...at(key), ...sub]));
  return { ...(rest as Component), calibration: calibrationSpec(merged, at, check, known) };
}

function calibrationSpec(c: Record<string, unknown>, at: (key: string) => Path, check: Check, known: Known): CalibrationSpec {
  const unknown = Object.keys(c).find((k) => !['schedule', 'shape', 'dataset', 'count', 'batch', 'seed', 'first', 'layout'].includes(k));
  if (unknown !== undefined) check.fail(at(unknown), 'unknown field (expected one of schedule, shape, dataset, count, batch, seed, first, layout)');
  const first = c.first === undefined || c.first === null ? false : check.boolean(c.first, at('first'));
  const layout = c.layout === undefined || c.layout === null ? 'compact' : check.oneOf(c.layout, ['official', 'compact'] as const, at('layout'));
  if (c.dataset === undefined) check.fail(at('dataset'), 'missing: the images to calibrate on (e.g. { name: folder, dir: … })');
  return {
    schedule: check.string(c.schedule, at('schedule')),
    shape: c.shape === undefined ? 'constant' : check.oneOf(c.shape, ['constant', 'linear', 'reverse_linear'] as const, at('shape')),
    dataset: component(c.dataset, at('dataset'), check, known.datasets, 'dataset'),
    count: c.count === undefined || c.count === null ? null : check.integer(c.count, at('count'), 1),
    batch: c.batch === undefined ? 64 : check.integer(c.batch, at('batch'), 1),
    seed: c.seed === undefined ? 0 : check.integer(c.seed, at('seed')),
    ...(first ? { first: true as const } : {}), // written only when set: older calibrations keep their ids
    ...(layout === 'official' ? { layout } : {}), // likewise: compact is the layout they were made with
  };
}

/** A list (labels: the values formatted) or a map from labels to values. */
function labelled(value: unknown, path: Path, check: Check): { label: string; value: unknown; path: Path }[] {
  const entries = Array.isArray(value)
    ? value.map((v, i) => ({ label: formatValue(v), value: v, path: [...path, i] }))
    : Object.entries(check.record(value, path)).map(([label, v]) => ({ label, value: v, path: [...path, label] }));
  if (entries.length === 0) check.fail(path, 'expected at least one entry');
  return entries;
}

function seeds(value: unknown, path: Path, check: Check): number[] {
  if (value === undefined) return DEFAULT_SEEDS;
  const list = check.list(value, path, { nonEmpty: true }).map((s, i) => check.integer(s, [...path, i]));
  const twice = list.findIndex((s, i) => list.indexOf(s) !== i);
  if (twice >= 0) check.fail([...path, twice], `seed ${list[twice]} is listed twice`);
  return list;
}

function execution(value: unknown, check: Check): Execution {
  if (value === undefined) return { batch: 8, chunk: 64 };
  const e = check.record(value, ['execution'], ['batch', 'chunk']);
  return {
    batch: e.batch === undefined ? 8 : check.integer(e.batch, ['execution', 'batch'], 1),
    chunk: e.chunk === undefined ? 64 : check.integer(e.chunk, ['execution', 'chunk'], 1),
  };
}

