// What every payments resolver receives: the verified principal and the process-wide services.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { PaymentsServices } from './services.js';

export interface PaymentsContext extends SubgraphContext {
  readonly services: PaymentsServices;
}
