// The accounts subgraph's resolver map.
import { CurrencyCode, DateTime, Decimal, MoneyResolvers } from '../../../lib/graphql/scalars.js';
import type { CurrencyCash, InstitutionCash } from '../cashPosition.js';
import type { AccountsContext } from '../context.js';
import { Account } from './Account.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';

export const resolvers = {
  Decimal, CurrencyCode, DateTime,
  Money: MoneyResolvers,
  Query,
  Customer,
  Account,
  Institution: {
    __resolveReference: (reference: { id: string }, context: AccountsContext) =>
      context.services.institutions.find((institution) => institution.id === reference.id) ?? null,
  },
  InstitutionCashPosition: {
    // A bank that could not be read has no total: its error is served here, at its own path, beside the others' data.
    total(entry: InstitutionCash) {
      if (entry.error) throw entry.error;
      return entry.total;
    },
    accountCount: (entry: InstitutionCash) => entry.accountCount ?? null,
    accounts: (entry: InstitutionCash) => entry.accounts ?? null,
    asOf: (entry: InstitutionCash) => entry.asOf ?? null,
  },
  CurrencyCashPosition: {
    converted(entry: CurrencyCash) {
      if (entry.error) throw entry.error;
      return entry.converted;
    },
    rate: (entry: CurrencyCash) => entry.rate ?? null,
  },
};
