import { canonicalJson } from '@dymu/core';
import { problemList } from '../config/check.ts';
import type { Experiment } from '../config/experiment.ts';
import { seedText } from '../plan/plan.ts';
import type { RunDir, RunMeta } from '../results/run-dir.ts';
import type { RunState } from './status.ts';

const statusText = (s: RunState): string => (s.status === 'done' ? 'done' : s.status === 'partial' ? `partial ${s.rows}/${s.total}` : 'new');

/**
 * What `--dry-run` prints: each configuration's resolved config, then its runs (id, seed, status);
 * a configuration that draws nothing from the seed is one run, marked `seeds 0, 1, 2 (shared)`.
 * Last, when given, every problem the inputs of the selected runs have (inputProblems), or that there is none.
 */
export function describePlan(experiment: Experiment, states: readonly RunState[], selected: ReadonlySet<string>, problems?: readonly string[]): string {
  const seeds = experiment.points.some((p) => p.seeds) ? 'their seeds' : `${experiment.seeds.length} seeds`;
  const shared = states.filter((s) => s.run.seed === null && s.run.seeds.length > 1).length;
  const unshared = states.reduce((n, s) => n + s.run.seeds.length, 0);
  const sharing = shared === 0 ? '' : ` instead of ${unshared} (${shared} shared by all their seeds: nothing in them draws from a seed)`;
  const lines = [`${experiment.name} (${experiment.file}): ${experiment.points.length} configurations × ${seeds} = ${states.length} runs${sharing}, ${selected.size} selected`];
  for (const point of experiment.points) {
    lines.push('', `# ${Object.entries(point.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`, canonicalJson(point.config));
    for (const s of states.filter((s) => s.run.config === point.config)) {
      lines.push(`  ${selected.has(s.run.id) ? '*' : ' '} ${s.run.id}  ${seedText(s.run)}  ${statusText(s)}`);
    }
  }
  if (problems) lines.push('', problems.length === 0 ? 'inputs: every input of the selected unfinished runs is there' : problemList(problems));
  return `${lines.join('\n')}\n`;
}

/** What `dymu ls FILE` prints: one line per configuration with the state of each seed. */
export function describeStatus(experiment: Experiment, states: readonly RunState[]): string {
  const done = states.filter((s) => s.status === 'done').length;
  const lines = [`${experiment.name}: ${done}/${states.length} runs done`];
  for (const point of experiment.points) {
    const runs = states.filter((s) => s.run.config === point.config);
    const label = Object.values(point.labels).join(', ');
    lines.push(`  ${label}: ${runs.map((s) => `${seedText(s.run)} ${statusText(s)} (${s.run.id})`).join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What `dymu ls` prints without a file: every run directory under results/, by experiment (by
 * name), each experiment's runs in its own order: by configuration as the sweep lists them (low,
 * mid, high as written, not alphabetically), then by seed (a shared run first); runs written before
 * the order was recorded come last, by their labels.
 */
export function describeResults(dirs: readonly RunDir[]): string {
  const byExperiment = new Map<string, { meta: RunMeta; line: string }[]>();
  for (const dir of dirs) {
    const meta = dir.meta();
    if (!meta) continue;
    const status = dir.status;
    const runs = byExperiment.get(meta.experiment) ?? [];
    runs.push({ meta, line: `  ${meta.id}  ${meta.seed === null ? 'every seed' : `seed ${meta.seed}`}  ${status === 'partial' ? `partial ${dir.rows().length}/${meta.total}` : status}  ${Object.values(meta.labels).join(', ')}` });
    byExperiment.set(meta.experiment, runs);
  }
  if (byExperiment.size === 0) return 'no runs\n';
  return [...byExperiment]
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, runs]) => `${name}: ${runs.length} runs\n${runs.sort((a, b) => listingOrder(a.meta, b.meta)).map((r) => r.line).join('\n')}\n`)
    .join('');
}

function listingOrder(a: RunMeta, b: RunMeta): number {
  return (a.point ?? Infinity) - (b.point ?? Infinity) || compareText(Object.values(a.labels).join('\0'), Object.values(b.labels).join('\0')) || (a.seed ?? -Infinity) - (b.seed ?? -Infinity) || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
