// What every accounts resolver receives: the verified principal (from the base subgraph context), this request's
// loaders, and the process-wide services.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { AccountsLoaders } from './loaders.js';
import type { AccountsServices } from './services.js';

export interface AccountsContext extends SubgraphContext {
  readonly loaders: AccountsLoaders;
  readonly services: AccountsServices;
}
