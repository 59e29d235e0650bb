// The tenant's customer directory (/directory/v1): Stripe-like customer lists and the organisation record. The API
// key decides the tenant; another tenant's customers do not exist for it (404, never 403, so ids do not leak).
import { tenantForKey } from '../credentials.js';
import { bearerToken, idList, intParam, json } from '../http/io.js';
import type { Provider, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { TenantId, World } from '../seed/types.js';
import { directoryError, invalidParameter, missingCustomer, unauthorized } from './errors.js';
import { customerJson, organisationJson } from './format.js';

export const directoryBasePath = '/directory/v1';

export function createDirectoryProvider(world: World): Provider {
  const authed =
    (handler: (request: SandboxRequest, tenant: TenantId) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse => {
      const tenant = tenantForKey('directory', bearerToken(request.headers));
      return tenant ? handler(request, tenant) : unauthorized();
    };

  const routes: Route[] = [
    { method: 'GET', template: '/customers', handle: authed((request, tenant) => listCustomers(world, request, tenant)) },
    {
      method: 'GET',
      template: '/customers/{id}',
      handle: authed((request, tenant) => {
        const id = request.params.id ?? '';
        const customer = world.customerById.get(id);
        return customer && customer.tenant === tenant ? json(200, customerJson(customer)) : missingCustomer(id);
      }),
    },
    {
      method: 'GET',
      template: '/organisation',
      handle: authed((_request, tenant) => {
        const organisation = world.organisations.get(tenant);
        return organisation
          ? json(200, organisationJson(organisation))
          : directoryError(404, 'invalid_request_error', 'resource_missing', 'No organisation');
      }),
    },
  ];

  return {
    id: 'directory',
    basePath: directoryBasePath,
    routes,
    failure(kind) {
      if (kind === 'unavailable')
        return directoryError(503, 'api_error', 'service_unavailable', 'The directory is temporarily unavailable.');
      if (kind === 'internal') return directoryError(500, 'api_error', 'internal_error', 'An unexpected error occurred.');
      return directoryError(404, 'invalid_request_error', 'url_invalid', 'Unrecognized request URL.');
    },
  };
}

function listCustomers(world: World, request: SandboxRequest, tenant: TenantId): SandboxResponse {
  const customers = world.customers.get(tenant) ?? [];
  const url = '/v1/customers';
  const ids = request.query.get('ids');
  if (ids !== null) {
    const wanted = idList(ids);
    if (wanted.length > 100) return invalidParameter('ids', 'At most 100 ids may be requested at once.');
    const data = wanted.flatMap((id) => {
      const customer = world.customerById.get(id);
      return customer && customer.tenant === tenant ? [customerJson(customer)] : [];
    });
    return json(200, { object: 'list', data, has_more: false, url });
  }

  const limit = intParam(request.query, 'limit', 10, 1, 100);
  if (limit === undefined) return invalidParameter('limit', 'limit must be an integer from 1 to 100.');
  let start = 0;
  const after = request.query.get('starting_after');
  if (after !== null) {
    const index = customers.findIndex((customer) => customer.id === after);
    if (index < 0) return missingCustomer(after, 'starting_after');
    start = index + 1;
  }
  const page = customers.slice(start, start + limit);
  return json(200, { object: 'list', data: page.map(customerJson), has_more: start + limit < customers.length, url });
}
