// What every credit resolver receives: the verified principal, this request's loaders and the process-wide services.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { CreditLoaders } from './loaders.js';
import type { CreditServices } from './services.js';

export interface CreditContext extends SubgraphContext {
  readonly services: CreditServices;
  readonly loaders: CreditLoaders;
}
