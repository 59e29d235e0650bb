// What every identity resolver receives: the verified principal and the process-wide services.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { IdentityServices } from './services.js';

export interface IdentityContext extends SubgraphContext {
  readonly services: IdentityServices;
}
