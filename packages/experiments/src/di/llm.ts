import { ContainerModule } from 'inversify';
import { Vlm } from '@dymu/llm';
import { VLMS } from './tokens.ts';

/** @dymu/llm's Vlm loads LLaVA-1.5 and OneVision checkpoints. */
export const llmModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  bind(VLMS).toConstantValue({ name: 'llava', load: (dir, options) => Vlm.load(dir, options) });
});
