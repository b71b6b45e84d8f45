#!/usr/bin/env node
// Starts the CLI from its bundle (packages/cli/dist), which starts in a fraction of a second. When
// there is none yet, or a source file changed since it was built, it is built first (a second or
// two, through tsx; `npm run build` does the same), so an edit is never run stale; should the
// build fail, the TypeScript sources run through tsx.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readBuild } from './build-state.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
let build = readBuild(dist);
if ('stale' in build) {
  const { register } = await import('tsx/esm/api');
  register();
  if (process.stderr.isTTY) process.stderr.write(`dymu: ${build.stale}: building the CLI\n`);
  try {
    const { bundleCli } = await import('../src/build/bundle.ts');
    await bundleCli(dist);
    build = readBuild(dist);
  } catch (error) {
    if (process.stderr.isTTY) process.stderr.write(`dymu: the build failed, running the TypeScript sources: ${error.message}\n`);
  }
}
await import('entry' in build ? pathToFileURL(build.entry).href : '../src/start.ts');
