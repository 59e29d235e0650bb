// The credit subgraph's resolver map, typed by the resolver types generated from its schema.
import { CurrencyCode, DateTime, Decimal, MoneyResolvers } from '../../../lib/graphql/scalars.js';
import { scoreRanges } from '../domain.js';
import type { Resolvers } from '../generated/resolvers.js';
import { Customer } from './Customer.js';
import { Mutation } from './Mutation.js';

export const resolvers: Resolvers = {
  Decimal,
  CurrencyCode,
  DateTime,
  Money: MoneyResolvers,
  Customer,
  Mutation,
  CreditScore: {
    range: (score) => scoreRanges[score.model],
  },
  CreditReport: {
    score: (report) => report.score.score,
    scoreModel: (report) => report.score.model,
    scoreFactors: (report) => report.score.factors,
  },
};
