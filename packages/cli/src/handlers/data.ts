import { relative, resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import { findBenchmarks, type BenchmarkInput, type FoundBenchmark } from '@dymu/benchmarks';
import { checkSource, findDatasets, type Problems } from '@dymu/datasets';
import type { CheckArgs } from '../commands/data.ts';

export async function checkData(args: CheckArgs): Promise<void> {
  const root = resolve(args.root);
  const shown = (path: string): string => relative(root, path);
  const problems = (what: string, p: Problems): string => (p.count === 0 ? '' : `, ${p.count} ${what} (${p.examples.map(shown).join(', ')}${p.count > p.examples.length ? ', …' : ''})`);
  const datasets = findDatasets(root);
  console.log(`datasets under ${root}`);
  for (const dataset of datasets) {
    if (dataset.files.length === 0) {
      console.log(`${dataset.name}: not found (expected ${dataset.expected})`);
      continue;
    }
    console.log(`${dataset.name}: ${dataset.files.map(shown).join(', ')}`);
    for (const source of dataset.sources) {
      const t0 = performance.now();
      try {
        const c = await checkSource(source, { decode: args.decode, examples: args.examples });
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(`  ${c.name}: ${c.records} records, ${c.images} images${problems('missing', c.missing)}${problems('undecodable', c.undecodable)} [${seconds} s]`);
      } catch (error) {
        if (!(error instanceof DymuError)) throw error;
        console.log(`  ${source.name}: error: ${error.message}`);
        process.exitCode = 1;
      }
    }
  }
  console.log(`benchmarks under ${root}`);
  for (const found of findBenchmarks(root)) {
    const line = await benchmarkLine(found, shown);
    console.log(line.text);
    if (!line.ok) process.exitCode = 1;
  }
}

/**
 * One benchmark's line: not found (nothing there; not an error), what is missing of it (an error),
 * or its questions and missing images (reading its files; a malformed one is an error).
 */
async function benchmarkLine(found: FoundBenchmark, shownPath: (path: string) => string): Promise<{ text: string; ok: boolean }> {
  const { name, benchmark, inputs, missing } = found;
  const shown = (input: BenchmarkInput): string => `${shownPath(input.path)}${input.kind === 'folder' ? '/' : ''}`;
  if (missing.length === inputs.length) return { text: `${name}: not found (expected ${inputs.map(shown).join(', ')})`, ok: true };
  if (missing.length > 0) return { text: `${name}: missing ${missing.map(shown).join(', ')}`, ok: false };
  try {
    let questions = 0;
    for await (const _ of benchmark.samples()) questions++;
    const absent = benchmark.missingImages;
    return { text: `${name}: ${inputs.map(shown).join(', ')}: ${questions} questions${absent.length > 0 ? `, ${absent.length} missing images (first: ${shownPath(absent[0])})` : ''}`, ok: true };
  } catch (error) {
    if (!(error instanceof DymuError)) throw error;
    return { text: `${name}: error: ${error.message}`, ok: false };
  }
}
