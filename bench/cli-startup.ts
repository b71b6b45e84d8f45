/**
 * The CLI's start-up, measured in one run: `dymu --version`, `--help`, `ls` and `table
 * experiments/quickstart.yaml` (npm run quickstart's results) as a user starts them (node
 * packages/cli/bin/dymu.js, from the bundle npm ci builds), then from the TypeScript sources (tsx,
 * what bin/dymu.js falls back to when a source changed since the build). Each command runs once to
 * warm the page cache, then `--runs` times; the medians of the wall time and of the command's CPU
 * time (user + system, all its threads: what the machine's load cannot inflate) are printed against
 * the issue's goals. Builds the bundle first (npm run build).
 *
 *   npm run bench:cli [-- --runs 7]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { staleBuild } from '../packages/cli/bin/build-state.js';
import { bundleCli } from '../packages/cli/src/build/bundle.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');
const dist = join(root, 'packages', 'cli', 'dist');
if (!existsSync(join(root, 'results', 'quickstart'))) throw new Error('no results/quickstart: run `npm run quickstart` first (dymu table prints its tables)');

const COMMANDS: { args: string[]; goalS: number }[] = [
  { args: ['--version'], goalS: 0.3 },
  { args: ['--help'], goalS: 0.3 },
  { args: ['ls'], goalS: 1 },
  { args: ['table', 'experiments/quickstart.yaml'], goalS: 1 },
];
const STARTS = [
  { name: 'bundle', command: [join(root, 'packages/cli/bin/dymu.js')] },
  { name: 'sources (tsx)', command: ['--import', 'tsx', join(root, 'packages/cli/src/start.ts')] },
];

/** CPU seconds of this process's finished children (Linux: /proc/self/stat cutime + cstime, in clock ticks of 1/100 s). */
function childrenCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One start: wall and CPU seconds; the command must succeed. */
function time(command: string[], args: string[]): { wallS: number; cpuS: number } {
  const cpu0 = childrenCpuS();
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [...command, ...args], { cwd: root, encoding: 'utf8' });
  const wallS = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`dymu ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return { wallS, cpuS: childrenCpuS() - cpu0 };
}

rmSync(dist, { recursive: true, force: true });
const built = performance.now();
await bundleCli(dist);
console.log(`npm run build: ${((performance.now() - built) / 1000).toFixed(1)} s`);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`host load average at start: ${load()} (${availableParallelism()} cores); medians of ${runs} runs\n`);
console.log('| start | command | wall s | CPU s | goal (wall) |');
console.log('|:--|:--|--:|--:|:--|');
for (const start of STARTS) {
  for (const { args, goalS } of COMMANDS) {
    time(start.command, args); // warm-up
    const times = Array.from({ length: runs }, () => time(start.command, args));
    const wallS = median(times.map((t) => t.wallS));
    const cpuS = median(times.map((t) => t.cpuS));
    const verdict = start.name === 'bundle' ? `< ${goalS} s: ${wallS < goalS ? 'met' : 'missed'}` : '';
    console.log(`| ${start.name} | dymu ${args.join(' ')} | ${wallS.toFixed(2)} | ${cpuS.toFixed(2)} | ${verdict} |`);
  }
}
const stale = staleBuild(dist);
console.log(`\nhost load average at the end: ${load()}${stale === null ? '' : `; ${stale}: bin/dymu.js ran the sources for part of the bundle rows, rerun`}`);
