import { resolve } from 'node:path';
import { Container, ContainerModule } from 'inversify';
import { defaultCacheDir } from '@dymu/core';
import { benchmarksModule } from './benchmarks.ts';
import { datasetsModule } from './datasets.ts';
import { encodersModule } from './encoders.ts';
import { experimentsModule } from './experiments.ts';
import { llmModule } from './llm.ts';
import { mergingModule } from './merging.ts';
import { ContainerResources } from './resources.ts';
import { RESOURCES, SETTINGS, type Settings } from './tokens.ts';

/** Defaults: cache `$DYMU_CACHE` or `.cache/dymu`, results `results/`, warnings and progress on stderr. */
export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    cache: overrides.cache === undefined ? defaultCacheDir() : resolve(overrides.cache),
    results: resolve(overrides.results ?? 'results'),
    warn: overrides.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
    progress: overrides.progress ?? process.stderr,
    restartCalibrations: overrides.restartCalibrations ?? false,
  };
}

/** The settings and the Resources built from the container's plugins. */
function runtimeModule(container: Container, settings: Settings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SETTINGS).toConstantValue(settings);
    bind(RESOURCES).toConstantValue(new ContainerResources(container, settings));
  });
}

/** A container with every package's plugins registered (one module per package) and the runtime services. */
export function createContainer(settings: Partial<Settings> = {}): Container {
  const container = new Container();
  // The modules are made here, not when their files load: a command that makes no container (dymu --help, dymu sql) loads no inversify.
  container.loadSync(encodersModule(), mergingModule(), datasetsModule(), benchmarksModule(), llmModule(), experimentsModule(), runtimeModule(container, defaultSettings(settings)));
  return container;
}
