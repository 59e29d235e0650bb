// The credit subgraph's resolver map.
import { CurrencyCode, DateTime, Decimal, MoneyResolvers } from '../../../lib/graphql/scalars.js';
import type { CreditReport, CreditScore } from '../domain.js';
import { scoreRanges } from '../domain.js';
import { Customer } from './Customer.js';
import { Mutation } from './Mutation.js';

export const resolvers = {
  Decimal, CurrencyCode, DateTime,
  Money: MoneyResolvers,
  Customer,
  Mutation,
  CreditScore: {
    range: (score: CreditScore) => scoreRanges[score.model],
  },
  CreditReport: {
    score: (report: CreditReport) => report.score.score,
    scoreModel: (report: CreditReport) => report.score.model,
    scoreFactors: (report: CreditReport) => report.score.factors,
  },
};
