// The identity subgraph's resolver map, typed by the resolver types generated from its schema.
import { DateTime } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { DateTime, Query, Customer };
