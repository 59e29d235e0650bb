// What every credit resolver receives: the verified principal and the process-wide services.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { CreditServices } from './services.js';

export interface CreditContext extends SubgraphContext {
  readonly services: CreditServices;
}
