// `npm run build`: bundles the CLI into packages/cli/dist (bin/dymu.js also does when the bundle is missing or stale).
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle.ts';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
await bundleCli(dist);
console.log(`dymu: built ${dist}`);
