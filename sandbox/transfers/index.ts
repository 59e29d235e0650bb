// Placeholder for the transfers provider: no routes yet.
import { json } from '../http/io.js';
import type { Provider } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';

export const transfersBasePath = '/transfers';

export function createTransfersProvider(_deps: ProviderDeps): Provider {
  return {
    id: 'transfers',
    basePath: transfersBasePath,
    routes: [],
    failure: (kind) => json(kind === 'route_not_found' ? 404 : kind === 'unavailable' ? 503 : 500, { error: kind }),
  };
}
