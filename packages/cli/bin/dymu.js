#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the workspace needs no build step. A process
// started without a choice of malloc settings first starts itself again with the project's
// (@dymu/core ensureAllocator: onnxruntime's activations reused instead of mapped on every run).
import { register } from 'tsx/esm/api';

register();
const { ensureAllocator } = await import('@dymu/core');
await ensureAllocator();
await import('../src/main.ts');
