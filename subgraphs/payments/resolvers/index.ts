// The payments subgraph's resolver map.
import type { PaymentsContext } from '../context.js';

export const resolvers = {
  Payment: {
    __resolveReference: (_reference: { id: string }, _context: PaymentsContext) => null,
  },
};
