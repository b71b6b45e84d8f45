import { noMerging, type MergePolicy } from '@dymu/core';
import { array, at, fail, finite, integer, object, oneOf, string, type Where } from './fields.ts';
import { dtomePolicy } from './policies/dtome.ts';
import { poolPolicy } from './policies/pool.ts';
import { randomPolicy } from './policies/random.ts';
import { tomePolicy } from './policies/tome.ts';
import { resolveSchedule, scheduleList } from './schedule-spec.ts';
import { SCHEDULE_SHAPES, type EncoderShape } from './schedules.ts';
import { checkEncoderHash } from './threshold-file.ts';
import { readThresholdList } from './threshold-list.ts';

/** What a policy factory may know besides its parameters. */
export interface PolicyEnv {
  readonly encoder: EncoderShape & { readonly weightsSha256?: string; readonly dir?: string };
  /** The file the parameters come from (named in errors). */
  readonly source?: string;
  /** Where warnings go (a forced threshold file of other weights); default process.emitWarning. */
  readonly warn?: (message: string) => void;
}

export type PolicyFactory = (params: unknown, env: PolicyEnv) => MergePolicy;

/**
 * Merge policies by name, each validating its parameters (errors name the field, e.g. `tome.r[2]`):
 * - `none`: no parameters;
 * - `tome`: `{ r: n | [r_0, …] }` or `{ schedule: "low" | "mid" | "high" | FILE, shape? }`;
 * - `dtome`: `{ thresholds: [τ_0 | null, …] }` or `{ file: THRESHOLDS.json, force? }` (a calibrated
 *   file, or the official example `FILE[#variant]`, whose variant for this depth is used with a warning);
 * - `dtome-range`: the same plus `blocks: [first, last]` (inclusive), outside which nothing merges;
 * - `random`: `{ seed, images: [{ key, blockCounts }, …] }` for one batch (see randomPolicy);
 * - `pool`: `{ tokens, block? = 0 }`.
 */
export const MERGE_POLICIES: Record<string, PolicyFactory> = {
  none: (params, env) => {
    object(params ?? {}, where(env, 'none'), []);
    return noMerging;
  },
  tome: (params, env) => {
    const w = where(env, 'tome');
    const p = object(params, w, ['r', 'schedule', 'shape']);
    if ((p.r === undefined) === (p.schedule === undefined)) fail(w, 'give either r or schedule');
    if (p.schedule !== undefined) {
      const shape = p.shape === undefined ? undefined : oneOf(p.shape, SCHEDULE_SHAPES, at(w, 'shape'));
      return tomePolicy(resolveSchedule(string(p.schedule, at(w, 'schedule')), env.encoder, shape).r);
    }
    if (p.shape !== undefined) fail(at(w, 'shape'), 'only with schedule');
    const L = env.encoder.numLayers;
    return tomePolicy(typeof p.r === 'number' ? new Array<number>(L).fill(integer(p.r, at(w, 'r'))) : scheduleList(p.r, L, at(w, 'r')));
  },
  dtome: (params, env) => dtome(params, env, false),
  'dtome-range': (params, env) => dtome(params, env, true),
  random: (params, env) => {
    const w = where(env, 'random');
    const p = object(params, w, ['seed', 'images']);
    const images = array(p.images, at(w, 'images')).map((raw, b) => {
      const iw = at(at(w, 'images'), b);
      const image = object(raw, iw, ['key', 'blockCounts']);
      const counts = array(image.blockCounts, at(iw, 'blockCounts')).map((c, i) => integer(c, at(at(iw, 'blockCounts'), i), 1));
      return { key: string(image.key, at(iw, 'key')), blockCounts: counts };
    });
    return randomPolicy(integer(p.seed, at(w, 'seed')), images);
  },
  pool: (params, env) => {
    const w = where(env, 'pool');
    const p = object(params, w, ['tokens', 'block']);
    const tokens = integer(p.tokens, at(w, 'tokens'), 1);
    if (tokens > env.encoder.patches) fail(at(w, 'tokens'), `the encoder has only ${env.encoder.patches} patches`);
    const block = p.block === undefined ? 0 : integer(p.block, at(w, 'block'));
    if (block >= env.encoder.numLayers) fail(at(w, 'block'), `the encoder has blocks 0…${env.encoder.numLayers - 1}`);
    return poolPolicy(tokens, block);
  },
};

/** Builds a registered policy; an unknown name is an error listing the known ones. */
export function createPolicy(name: string, params: unknown, env: PolicyEnv): MergePolicy {
  if (!Object.hasOwn(MERGE_POLICIES, name)) fail({ file: env.source, field: 'policy' }, `unknown merge policy "${name}" (expected ${Object.keys(MERGE_POLICIES).join(', ')})`);
  return MERGE_POLICIES[name](params, env);
}

function where(env: PolicyEnv, name: string): Where {
  return { file: env.source, field: name };
}

function dtome(params: unknown, env: PolicyEnv, ranged: boolean): MergePolicy {
  const w = where(env, ranged ? 'dtome-range' : 'dtome');
  const p = object(params, w, ['thresholds', 'file', 'force', ...(ranged ? ['blocks'] : [])]);
  if ((p.thresholds === undefined) === (p.file === undefined)) fail(w, 'give either thresholds or file');
  const L = env.encoder.numLayers;
  let thresholds: (number | null)[];
  if (p.file !== undefined) {
    const spec = string(p.file, at(w, 'file'));
    const list = readThresholdList(spec, L);
    if (list.thresholds.length !== L) fail({ file: list.source, field: 'encoder.blocks' }, `${list.thresholds.length} blocks, the encoder has ${L}`);
    const force = p.force === undefined ? false : typeof p.force === 'boolean' ? p.force : fail(at(w, 'force'), 'expected true or false');
    const warning = list.calibrated
      ? env.encoder.weightsSha256 && checkEncoderHash(list.calibrated, spec, env.encoder.weightsSha256, force)
      : `${list.source}: thresholds ${list.origin}, for ${list.encoder}; not calibrated here, so not checked against the weights of ${env.encoder.dir ?? 'this encoder'}`;
    if (warning) (env.warn ?? process.emitWarning)(warning);
    thresholds = [...list.thresholds];
  } else {
    if (p.force !== undefined) fail(at(w, 'force'), 'only with file');
    thresholds = array(p.thresholds, at(w, 'thresholds'), L).map((v, i) => (v === null ? null : finite(v, at(at(w, 'thresholds'), i))));
  }
  if (!ranged) return dtomePolicy(thresholds);
  const [first, last] = array(p.blocks, at(w, 'blocks'), 2).map((v, i) => integer(v, at(at(w, 'blocks'), i)));
  if (first > last || last >= L) fail(at(w, 'blocks'), `expected first ≤ last < ${L}, got [${first}, ${last}]`);
  return dtomePolicy(thresholds, { first, last });
}
