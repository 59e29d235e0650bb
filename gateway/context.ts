// The gateway's per-request context: who is asking, and the request id that follows the request everywhere.
import type { BaseContext } from '@apollo/server';
import type { Principal } from '../lib/auth/principal.js';

export interface GatewayContext extends BaseContext {
  /** Undefined only for an anonymous introspection request, which never reaches a subgraph. */
  readonly principal: Principal | undefined;
  readonly requestId: string;
}
