import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_STATE } from '../../bin/build-state.js';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

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

/** Older builds made longer ago than this are removed (a start reads its files within a second of reading build.json). */
const KEEP_OLD_MS = 10 * 60_000;

/**
 * Every bundled file with `import.meta.url`, `.dirname` and `.filename` naming that file, as they do
 * when it runs unbundled, so that a path relative to it (bin/dymu.js for the workers, the
 * repository root, fonts, yargs' translations) is the same in the bundle, which lives elsewhere.
 */
const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(b) {
    b.onLoad({ filter: /\.(ts|js|mjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!/\bimport\.meta\.(url|dirname|filename)\b/.test(text)) return undefined;
      const values: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
      const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, key: string) => JSON.stringify(values[key]));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/**
 * Bundles the CLI (packages/cli/src/start.ts and the workspace sources it imports) as ES modules
 * into a new directory of `dist`, then makes it the current build: `dist/build.json` (which
 * bin/build-state.js reads) names it, when the build started and every file it was made from, and
 * is replaced in one rename, so that starts and builds running at the same time each see a whole
 * build. Older builds made more than ten minutes ago are removed.
 */
export async function bundleCli(dist: string): Promise<void> {
  mkdirSync(dist, { recursive: true });
  const dir = mkdtempSync(join(dist, 'build-'));
  const started = Date.now();
  const result = await build({
    entryPoints: { start: join(ROOT, 'packages/cli/src/start.ts') }, // dist/<build>/start.js, which bin/dymu.js loads
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent', // errors are thrown, with their file and line
    // lazyRequire's require(), relative to the bundle (in packages/cli/dist: the repository's node_modules).
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [lazyPackages, sourceLocations],
  });
  // The inputs are relative to absWorkingDir, the root, recorded as it is: in a moved repository they are gone, and the bundle, which names source paths, is made again.
  // Besides the bundled files: this build's own code, and npm's record of node_modules where there is one (the stubs list the packages' exports).
  const bundled = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('lazy:'));
  const inputs = [...bundled, 'packages/cli/src/build/bundle.ts', ...['node_modules/.package-lock.json'].filter((file) => existsSync(join(ROOT, file)))];
  const state = { dir: basename(dir), root: ROOT, started, inputs };
  const temporary = `${dir}.json`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(temporary, join(dist, BUILD_STATE));
  for (const old of readdirSync(dist)) {
    const path = join(dist, old);
    if (old.startsWith('build-') && path !== dir && Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
  }
}
