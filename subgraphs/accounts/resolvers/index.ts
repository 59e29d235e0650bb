// The accounts subgraph's resolver map, typed by the resolver types generated from its schema.
import { CurrencyCode, DateTime, Decimal, MoneyResolvers } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers.js';
import { Account } from './Account.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = {
  Decimal,
  CurrencyCode,
  DateTime,
  Money: MoneyResolvers,
  Query,
  Customer,
  Account,
  Institution: {
    __resolveReference: (reference, context) =>
      context.services.institutions.find((institution) => institution.id === reference.id) ?? null,
  },
  InstitutionCashPosition: {
    // A bank that could not be read has no total: its error is served here, at its own path, beside the others' data.
    total(entry) {
      if (entry.error) throw entry.error;
      return entry.total ?? null;
    },
    accountCount: (entry) => entry.accountCount ?? null,
    accounts: (entry) => entry.accounts ?? null,
    asOf: (entry) => entry.asOf ?? null,
  },
  CurrencyCashPosition: {
    converted(entry) {
      if (entry.error) throw entry.error;
      return entry.converted ?? null;
    },
    rate: (entry) => entry.rate ?? null,
  },
};
