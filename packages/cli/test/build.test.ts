import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILD_STATE, readBuild } from '../bin/build-state.js';
import { needsAllocator } from '../src/allocator-choice.ts';
import { bundleCli } from '../src/build/bundle.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const cliPackage = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string };

describe('the CLI build', () => {
  it('bundles the CLI: --version and --help load no package and no handler, ls no onnxruntime, sharp or DuckDB and no other handler', async () => {
    // In the repository's (ignored) .cache, so that the bundle finds node_modules; a preload script logs every package require()d,
    // a module hook every file of the bundle imported (each names the sources it holds in `// packages/…` comments).
    mkdirSync(join(root, '.cache'), { recursive: true });
    const dist = mkdtempSync(join(root, '.cache', 'cli-build-'));
    await bundleCli(dist);
    // Its entry point as build.json names it (readBuild would also check that no source changed meanwhile).
    const state = JSON.parse(readFileSync(join(dist, BUILD_STATE), 'utf8')) as { dir: string; inputs: string[] };
    const entry = join(dist, state.dir, 'start.js');
    const preload = join(dist, 'log-packages.cjs');
    writeFileSync(preload, `const Module = require('node:module'); const load = Module._load;
Module._load = function (request, ...rest) { if (!Module.isBuiltin(request) && !/^[./]/.test(request)) process.stderr.write('package ' + request + '\\n'); return load.call(this, request, ...rest); };`);
    const hooks = `import { writeSync } from 'node:fs';
export async function load(url, context, next) { if (url.startsWith('file:')) writeSync(2, 'module ' + url + '\\n'); return next(url, context); }`;
    const logModules = join(dist, 'log-modules.mjs');
    writeFileSync(logModules, `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--require', preload, '--import', pathToFileURL(logModules).href, entry, ...args], { encoding: 'utf8', env: { ...process.env, DYMU_ALLOCATOR: 'system' } });
    const packages = (stderr: string) => [...stderr.matchAll(/^package (.*)$/gm)].map((m) => m[1]);
    // The sources in the bundle's files that were loaded, e.g. packages/cli/src/handlers/ls.ts, packages/experiments/src/index.ts.
    const sources = (stderr: string) => [...stderr.matchAll(/^module (.*)$/gm)].flatMap((m) => [...readFileSync(fileURLToPath(m[1]), 'utf8').matchAll(/^\/\/ (packages\/\S+)$/gm)].map((c) => c[1]));
    const handlers = (stderr: string) => sources(stderr).filter((source) => source.startsWith('packages/cli/src/handlers/'));
    const version = run('--version');
    expect(version.stdout).toBe(`${cliPackage.version}\n`);
    expect(packages(version.stderr)).toEqual([]);
    const help = run('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^dymu <command>\n/);
    expect(help.stdout).toMatch(/dymu ls \[file\]/);
    expect(packages(help.stderr)).toEqual([]);
    expect(handlers(help.stderr)).toEqual([]);
    // Of the workspace packages only core (start.ts's ensureAllocator, main.ts's DymuError): a command's builder loads what it lists.
    expect(new Set(sources(help.stderr).map((source) => source.split('/')[1]))).toEqual(new Set(['cli', 'core']));
    const ls = run('ls', '--results', join(dist, 'no-results'));
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toBe('no runs\n');
    expect(packages(ls.stderr).filter((p) => /onnxruntime|sharp|duckdb/.test(p))).toEqual([]);
    expect(handlers(ls.stderr)).toEqual(['packages/cli/src/handlers/ls.ts']);
    const plot = run('plot', 'x.yaml', '--format', 'gif'); // plot's builder loads the formats it accepts; a bad one is a usage error
    expect(plot.status, plot.stderr).toBe(2);
    expect(plot.stderr).toContain('dymu: --format: expected svg or png (comma-separated), got "gif" (see dymu --help)');
    expect(handlers(plot.stderr)).toEqual([]);
    expect(state.inputs).toContain('packages/cli/src/main.ts');
    expect(state.inputs).toContain('packages/experiments/src/index.ts');
    rmSync(dist, { recursive: true, force: true });
  });

  it('is current until a file it was built from changes or goes, and names its entry point', () => {
    const dist = mkdtempSync(join(tmpdir(), 'cli-state-'));
    expect(readBuild(dist)).toEqual({ stale: 'there is no build' });
    const started = Date.now();
    writeFileSync(join(dist, 'a.ts'), '');
    utimesSync(join(dist, 'a.ts'), new Date(started - 60_000), new Date(started - 60_000));
    writeFileSync(join(dist, BUILD_STATE), JSON.stringify({ dir: 'build-1', root: '.', started, inputs: ['a.ts'] }));
    expect(readBuild(dist)).toEqual({ entry: join(dist, 'build-1', 'start.js') });
    utimesSync(join(dist, 'a.ts'), new Date(started + 1000), new Date(started + 1000));
    expect(readBuild(dist)).toEqual({ stale: 'a.ts changed since the build' });
    rmSync(join(dist, 'a.ts'));
    expect(readBuild(dist)).toEqual({ stale: 'a.ts is gone since the build' });
    rmSync(dist, { recursive: true, force: true });
  });
});

describe('needsAllocator', () => {
  it('restarts every command with the allocator settings but ls, table, sql, status, --help and --version', () => {
    for (const args of [['ls'], ['table', 'x.yaml'], ['sql', 'select 1'], ['status', 'x.yaml'], ['--help'], ['--version'], []]) expect(needsAllocator(args), args.join(' ')).toBe(false);
    for (const args of [['run', 'x.yaml'], ['encode', '--model', 'm', 'a.jpg'], ['calibrate', '--out', 'th.json'], ['make-model'], ['plot'], ['--help', 'encode']]) expect(needsAllocator(args), args.join(' ')).toBe(true);
  });
});
