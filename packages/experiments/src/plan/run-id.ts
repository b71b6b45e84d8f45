import { canonicalJson, sha256 } from '@dymu/core';
import type { RunConfig } from '../config/experiment.ts';

/**
 * A run's id: the first 16 hex digits of sha256 over the canonical JSON (keys sorted at every
 * level) of the fully resolved run config and the seed (null for a run shared by every seed). The
 * order keys were written in does not matter; any change of a value does. Names, tables, labels and
 * execution settings are not part of it. A run that takes its counts from another run (a random
 * policy `like` another row) has that run's id in it too.
 */
export function runId(config: RunConfig, seed: number | null, reference?: string): string {
  return sha256(canonicalJson({ config, seed, ...(reference === undefined ? {} : { reference }) })).slice(0, 16);
}
