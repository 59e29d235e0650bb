// Placeholder for the sanctions provider: no routes yet.
import { json } from '../http/io.js';
import type { Provider } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';

export const sanctionsBasePath = '/sanctions';

export function createSanctionsProvider(_deps: ProviderDeps): Provider {
  return {
    id: 'sanctions',
    basePath: sanctionsBasePath,
    routes: [],
    failure: (kind) => json(kind === 'route_not_found' ? 404 : kind === 'unavailable' ? 503 : 500, { error: kind }),
  };
}
