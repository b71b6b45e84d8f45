// Whether the bundle `npm run build` wrote (packages/cli/dist) still matches the files it was
// built from. Plain JavaScript: the launcher asks before it loads either the bundle or tsx.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The file the build writes last: when it started, the files it read and the directory their paths are relative to (itself relative to the build). */
export const BUILD_STATE = 'build.json';

/**
 * Null when every file the build in `dist` read is unchanged since the build started; otherwise
 * why the build cannot be used: there is none, or the first file that changed or is gone.
 */
export function staleBuild(dist) {
  let state;
  try {
    state = JSON.parse(readFileSync(join(dist, BUILD_STATE), 'utf8'));
  } catch {
    return 'there is no build';
  }
  for (const input of state.inputs) {
    let modified;
    try {
      modified = statSync(resolve(dist, state.root, input)).mtimeMs;
    } catch {
      return `${input} is gone since the build`;
    }
    if (modified > state.started) return `${input} changed since the build`;
  }
  return null;
}
