import { ContainerModule } from 'inversify';
import { MERGE_POLICIES } from '@dymu/merging';
import { POLICIES } from './tokens.ts';

/** Every policy of @dymu/merging's registry under POLICIES. */
export const mergingModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  for (const [name, create] of Object.entries(MERGE_POLICIES)) bind(POLICIES).toConstantValue({ name, create });
});
