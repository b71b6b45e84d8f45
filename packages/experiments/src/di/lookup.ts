import type { Container, ServiceIdentifier } from 'inversify';
import { DymuError } from '@dymu/core';
import type { Known } from '../config/experiment.ts';
import { BENCHMARKS, DATASETS, POLICIES, TASKS, type Named } from './tokens.ts';

/** The registered names under a token, in registration order. */
export function names(container: Container, token: ServiceIdentifier<Named>): string[] {
  return container.getAll(token, { optional: true }).map((p) => p.name);
}

/** The plugin registered as `name` (the last one wins, so a test or user module can replace one). */
export function lookup<T extends Named>(container: Container, token: ServiceIdentifier<T>, name: string, what: string): T {
  const found = container.getAll(token, { optional: true }).findLast((p) => p.name === name);
  if (!found) throw new DymuError(`unknown ${what} ${JSON.stringify(name)} (registered: ${names(container, token).join(', ') || 'none'})`);
  return found;
}

/** What the experiment schema checks names against. */
export function knownNames(container: Container): Known {
  return {
    tasks: Object.fromEntries(container.getAll(TASKS, { optional: true }).map((t) => [t.name, { inputs: t.inputs }])),
    policies: [...new Set(names(container, POLICIES))],
    datasets: [...new Set(names(container, DATASETS))],
    benchmarks: [...new Set(names(container, BENCHMARKS))],
  };
}
