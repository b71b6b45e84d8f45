// The CLI's entry point (bin/dymu.js loads it from the build, or from the sources through tsx).
// `dymu --version` alone is answered at once, with the version yargs reports (this package's); a
// command that may run onnxruntime first starts itself again with the project's malloc settings;
// then the commands are loaded.
import { ensureAllocator } from '@dymu/core';
import cliPackage from '../package.json' with { type: 'json' };
import { needsAllocator } from './allocator-choice.ts';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  console.log(cliPackage.version);
} else {
  if (needsAllocator(args)) await ensureAllocator();
  await import('./main.ts');
}
