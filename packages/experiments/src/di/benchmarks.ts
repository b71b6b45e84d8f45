import { ContainerModule } from 'inversify';
import { BENCHMARKS as ADAPTERS, type BenchmarkFactory } from '@dymu/benchmarks';
import { Check } from '../config/check.ts';
import { BENCHMARKS } from './tokens.ts';

/**
 * Every adapter of @dymu/benchmarks' registry under BENCHMARKS; an entry's parameters are the
 * adapter's options (`root`, `split`, `imageDir`, …; see that package's README).
 */
export const benchmarksModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  for (const [name, factory] of Object.entries(ADAPTERS) as [string, BenchmarkFactory][]) {
    bind(BENCHMARKS).toConstantValue({
      name,
      open: (params, origins) => {
        const check = new Check(origins);
        const options = check.record(params, []);
        return factory({ ...options, root: check.string(options.root, ['root']) });
      },
    });
  }
});
