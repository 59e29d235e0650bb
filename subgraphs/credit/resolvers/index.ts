// The credit subgraph's resolver map.
import type { CreditContext } from '../context.js';

export const resolvers = {
  Customer: {
    creditScore: (_customer: { id: string }, _: unknown, _context: CreditContext) => null,
  },
};
