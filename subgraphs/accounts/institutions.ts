// The banks FinGraph connects to and the API each speaks. Base URLs sit below UPSTREAM_BASE_URL (the sandbox in
// development); a real deployment points each bank at its provider with BANK_<ID>_URL.
import type { Institution } from './domain.js';

export interface InstitutionEndpoint extends Institution {
  /** Path of the bank's API below UPSTREAM_BASE_URL. */
  readonly path: string;
}

export const institutions: readonly InstitutionEndpoint[] = [
  { id: 'northwind', name: 'Northwind Bank', country: 'GB', api: 'UK_OPEN_BANKING', path: '/ob/northwind/open-banking/v3.1/aisp' },
  { id: 'albion', name: 'Albion Bank', country: 'GB', api: 'UK_OPEN_BANKING', path: '/ob/albion/open-banking/v3.1/aisp' },
  { id: 'lakeside', name: 'Lakeside Bank', country: 'US', api: 'US_CORE_BANKING', path: '/core/lakeside/v1' },
  { id: 'pacific', name: 'Pacific Trust', country: 'US', api: 'US_CORE_BANKING', path: '/core/pacific/v1' },
];
