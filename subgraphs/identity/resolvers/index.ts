// The identity subgraph's resolver map.
import { DateTime } from '../../../lib/graphql/scalars.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';

export const resolvers = { DateTime, Query, Customer };
