/**
 * The CLI's start-up, measured in one run: `dymu --version`, `--help`, `ls` and `table
 * experiments/quickstart.yaml` (npm run quickstart's results) as a user starts them (node
 * packages/cli/bin/dymu.js, from the current bundle), then from the TypeScript sources through tsx
 * (how the CLI started before it was bundled, less the allocator restart these commands no longer
 * make), and the first start of `--version` without a current bundle (a fresh clone, or after an
 * edit: it builds, then runs). Each command runs once to warm the page cache, then `--runs` times;
 * the medians of the wall time and of the command's CPU time (user + system, all its threads: what
 * the machine's load cannot inflate) are printed against the goals. Builds the bundle first.
 *
 *   npm run bench:cli [-- --runs 7]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILD_STATE, readBuild } from '../packages/cli/bin/build-state.js';
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
const BUNDLE = [join(root, 'packages/cli/bin/dymu.js')];
const SOURCES = ['--import', 'tsx', join(root, 'packages/cli/src/start.ts')];

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

/** A row of the table: the medians of `runs` starts (`before` runs before each). */
function row(start: string, args: string[], goal: string, before: () => void = () => {}, command = BUNDLE): void {
  before();
  time(command, args); // warm-up
  const times = Array.from({ length: runs }, () => (before(), time(command, args)));
  const wallS = median(times.map((t) => t.wallS));
  const cpuS = median(times.map((t) => t.cpuS));
  console.log(`| ${start} | dymu ${args.join(' ')} | ${wallS.toFixed(2)} | ${cpuS.toFixed(2)} | ${goal} |`);
}

const built = performance.now();
await bundleCli(dist);
console.log(`npm run build: ${((performance.now() - built) / 1000).toFixed(1)} s`);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`host load average at start: ${load()} (${availableParallelism()} cores); medians of ${runs} runs\n`);
console.log('| start | command | wall s | CPU s | goal (wall) |');
console.log('|:--|:--|--:|--:|:--|');
for (const { args, goalS } of COMMANDS) row('bundle', args, `< ${goalS} s`);
for (const { args } of COMMANDS) row('sources (tsx)', args, '', undefined, SOURCES);
const current = readBuild(dist);
row('no current bundle: builds, then runs', ['--version'], '', () => rmSync(join(dist, BUILD_STATE), { force: true }));
const stale = 'stale' in current ? `; ${current.stale}: some bundle rows built first, rerun` : '';
console.log(`\nhost load average at the end: ${load()}${stale}`);
