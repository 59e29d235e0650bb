// Placeholder for the bureau provider: no routes yet.
import { json } from '../http/io.js';
import type { Provider } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';

export const bureauBasePath = '/bureau';

export function createBureauProvider(_deps: ProviderDeps): Provider {
  return {
    id: 'bureau',
    basePath: bureauBasePath,
    routes: [],
    failure: (kind) => json(kind === 'route_not_found' ? 404 : kind === 'unavailable' ? 503 : 500, { error: kind }),
  };
}
