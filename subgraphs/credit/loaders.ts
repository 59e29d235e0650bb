// Per-request DataLoaders: whether a customer exists in the tenant, asked of the directory once for every customer the
// request names (a customers page with scores is one directory call, not one per row).
import DataLoader from 'dataloader';
import type { CreditServices } from './services.js';

export interface CreditLoaders {
  readonly customerExists: DataLoader<string, boolean>;
}

export function createLoaders(services: CreditServices, tenant: string): CreditLoaders {
  return {
    customerExists: new DataLoader<string, boolean>(
      async (ids) => {
        const found = await services.directory.existing(tenant, ids);
        return ids.map((id) => found.has(id));
      },
      { maxBatchSize: 100 },
    ),
  };
}
