#!/usr/bin/env node
// Starts the CLI from the bundle `npm run build` wrote (npm ci runs it), which starts in a fraction
// of a second; when a source file changed since, from the TypeScript sources through tsx, so an
// edit is never run stale (a terminal is told, once per command, to run `npm run build`).
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build-state.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const stale = staleBuild(dist);
if (stale === null) {
  await import(new URL('../dist/start.js', import.meta.url).href);
} else {
  if (process.stderr.isTTY && !process.env.DYMU_SOURCES_NOTED) process.stderr.write(`dymu: ${stale}: running the TypeScript sources (\`npm run build\` starts faster)\n`);
  process.env.DYMU_SOURCES_NOTED = '1'; // its restart with the allocator settings and its workers say it no more
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/start.ts');
}
