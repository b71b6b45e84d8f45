// Which bundle of the CLI (packages/cli/dist, written by src/build/bundle.ts) is current, and
// whether it still matches the files it was built from. Plain JavaScript: the launcher asks before
// it loads the bundle, or tsx.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The file, in dist, that names the current build: its directory, when it started, the files it
 * read and the directory their paths are relative to.
 */
export const BUILD_STATE = 'build.json';

/**
 * The entry point of the current build in `dist` when every file it was built from is unchanged
 * since the build started; otherwise why there is none to use: no build, or the first file that
 * changed or is gone.
 */
export function readBuild(dist) {
  let state;
  try {
    state = JSON.parse(readFileSync(join(dist, BUILD_STATE), 'utf8'));
  } catch {
    return { stale: 'there is no build' };
  }
  for (const input of state.inputs) {
    let modified;
    try {
      modified = statSync(resolve(dist, state.root, input)).mtimeMs;
    } catch {
      return { stale: `${input} is gone since the build` };
    }
    if (modified > state.started) return { stale: `${input} changed since the build` };
  }
  return { entry: join(dist, state.dir, 'start.js') };
}
