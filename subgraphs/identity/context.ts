// What every identity resolver receives: the verified principal, the process-wide services and this request's loaders.
import type { SubgraphContext } from '../../lib/subgraph/startSubgraph.js';
import type { IdentityLoaders } from './loaders.js';
import type { IdentityServices } from './services.js';

export interface IdentityContext extends SubgraphContext {
  readonly services: IdentityServices;
  readonly loaders: IdentityLoaders;
}
