import { ContainerModule } from 'inversify';
import { VitEncoder } from '@dymu/encoders';
import { ENCODERS } from './tokens.ts';

/** @dymu/encoders' VitEncoder serves both architectures a config.json may name. */
export const encodersModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  for (const name of ['clip', 'siglip']) bind(ENCODERS).toConstantValue({ name, load: (dir, options) => VitEncoder.load(dir, options) });
});
