import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_STATE } from '../../bin/build-state.js';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The entry point bin/dymu.js loads from the build. */
export const ENTRY = 'start';

/** The packages every command needs at once (the command-line parser), bundled with everything they import. */
const EAGER = new Set(['yargs', 'yargs/helpers']);

/**
 * The module that stands for a package in the bundle: it require()s the package from node_modules
 * the first time one of its exports is read (or it is called, when the package is a function), so
 * that a command loads only the packages it uses: `dymu --help` none, `dymu ls` no onnxruntime.
 * require() also loads ES modules (Node ≥ 20.19) and is much cheaper than importing CommonJS from
 * ES modules. The export names are those the package has when the build loads it; an ES module's
 * default export would be its namespace here, so the sources import such packages by name.
 */
function lazyRequire(specifier: string, importer: string): string {
  const real = createRequire(importer)(specifier) as object;
  const name = JSON.stringify(specifier);
  return [
    'let real;',
    `const load = () => (real ??= require(${name}));`,
    typeof real === 'function'
      ? 'const stub = function (...args) { return new.target ? Reflect.construct(load(), args) : Reflect.apply(load(), this, args); };'
      : 'const stub = {};',
    `for (const key of ${JSON.stringify(Object.keys(real))}) Object.defineProperty(stub, key, { get: () => load()[key], enumerable: true, configurable: true });`,
    'module.exports = stub;',
  ].join('\n');
}

/** Whether an import names a package in node_modules (not a workspace package, which is bundled). */
function isDependency(specifier: string, importer: string): boolean {
  if (specifier.startsWith('node:')) return false;
  try {
    return createRequire(importer).resolve(specifier).includes(`${sep}node_modules${sep}`);
  } catch {
    return false; // esbuild reports it
  }
}

/** The sources' imports of packages become lazyRequire stubs, except EAGER's; what a bundled package imports is bundled. */
const lazyPackages: Plugin = {
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace === 'lazy') return { path: args.path, external: true };
      if (EAGER.has(args.path) || args.importer.includes(`${sep}node_modules${sep}`) || !isDependency(args.path, args.importer)) return undefined;
      return { path: args.path, namespace: 'lazy', pluginData: args.importer };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({ contents: lazyRequire(args.path, args.pluginData as string), loader: 'js' }));
  },
};

/**
 * Bundles the CLI (packages/cli/src/start.ts and the workspace sources it imports) into `outdir`
 * as ES modules, then writes build.json (bin/build-state.js checks it): when the build started and
 * every file the bundle was made from.
 */
export async function bundleCli(outdir: string): Promise<void> {
  const started = Date.now();
  const result = await build({
    entryPoints: { [ENTRY]: join(ROOT, 'packages/cli/src/start.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'warning',
    // lazyRequire's require(), relative to the bundle (packages/cli/dist: the repository's node_modules).
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [lazyPackages],
  });
  // The inputs are relative to absWorkingDir, the root; the root is recorded relative to the build.
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('lazy:'));
  const state = { root: relative(outdir, ROOT), started, inputs };
  writeFileSync(join(outdir, BUILD_STATE), `${JSON.stringify(state, null, 1)}\n`);
}
