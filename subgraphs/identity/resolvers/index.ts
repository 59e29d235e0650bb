// The identity subgraph's resolver map.
import type { IdentityContext } from '../context.js';

export const resolvers = {
  Customer: {
    __resolveReference: (_reference: { id: string }, _context: IdentityContext) => null,
  },
};
