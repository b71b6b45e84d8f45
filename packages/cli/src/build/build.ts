// `npm run build` (and npm ci, through the root package's prepare script): bundles the CLI into packages/cli/dist.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle.ts';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
rmSync(dist, { recursive: true, force: true });
await bundleCli(dist);
console.log(`dymu: built ${dist}`);
