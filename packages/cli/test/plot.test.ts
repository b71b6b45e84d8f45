import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dymu, root } from './dymu.ts';

const experiment = join(root, 'packages', 'experiments', 'test', 'fixtures', 'plot-tiny', 'tiny.yaml');

describe('dymu plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-plot-'));
  const where = ['--results', join(dir, 'results')];

  it('says which command fills an experiment without results, then plots its runs and names the file it wrote', { timeout: 120_000 }, () => {
    const empty = dymu('plot', experiment, ...where);
    expect(empty.code).toBe(1);
    const file = relative(process.cwd(), experiment); // as the experiment names itself
    expect(empty.err).toBe(`dymu: ${file}: no finished runs under ${join(dir, 'results', 'plot-tiny')} to plot: \`npm run dymu -- run ${file}\` makes them\n`);
    const ran = dymu('run', experiment, ...where, '--cache', join(dir, 'cache'));
    expect(ran.code, ran.err).toBe(0);
    const plotted = dymu('plot', experiment, ...where, '--format', 'svg');
    expect(plotted.code, plotted.err).toBe(0);
    const svg = join(dir, 'results', 'plot-tiny', 'figures', 'table9-gqa.svg');
    expect(plotted.out).toBe(`GQA against visual tokens (table9), a line per method:\n  ${svg}\n`);
    expect(readFileSync(svg, 'utf8').match(/<g data-method="ToMe" data-source="(ours|paper)">/g)).toHaveLength(2);
  });

  it('rejects an unknown format as a usage error', () => {
    const format = dymu('plot', experiment, ...where, '--format', 'svg,gif');
    expect(format.code).toBe(2);
    expect(format.err).toMatch(/--format: expected svg or png \(comma-separated\), got "gif"/);
  });
});
