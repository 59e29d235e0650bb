// The gateway's per-request context: who is asking, and the request id that follows the request everywhere.
import type { BaseContext } from '@apollo/server';
import type { Principal } from '../lib/auth/principal.js';
import type { RequestAuditFacts } from './plugins/audit/facts.js';
import type { RequestCostTally } from './plugins/cost/index.js';

export interface GatewayContext extends BaseContext {
  /** Undefined only for an anonymous introspection request, which never reaches a subgraph. */
  readonly principal: Principal | undefined;
  readonly requestId: string;
  /**
   * The request's cost so far, for its log line (gateway/plugins/cost/). Apollo Server hands each operation a shallow
   * copy of the context, so the edge's own object learns of it only through a box all copies share.
   */
  readonly cost?: RequestCostTally;
  /** What the request's audit record needs from inside Apollo Server (gateway/plugins/audit/), shared by every copy. */
  readonly audit?: RequestAuditFacts;
}
