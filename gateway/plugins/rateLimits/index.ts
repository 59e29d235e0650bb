// Rate limits at the gateway, per tenant, per client and per IP, in cost units, exact across replicas through one
// Redis (see README "Rate limits"). Two hooks: the request's context (a request without a valid token is charged to
// its IP before its 401, or refused with 429 once that budget is spent) and an Apollo Server plugin (a principal's
// operation is charged to its tenant's, its client's and, for initiatePayment and creditReport, its own stricter
// budgets after the operation is resolved and before anything is planned or a subgraph called). Every answer carries
// the RateLimit header fields of the budgets it drew on.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { type FragmentDefinitionNode, Kind } from 'graphql';
import jwt from 'jsonwebtoken';
import type { Principal } from '../../../lib/auth/principal.js';
import type { BreakerState } from '../../../lib/cache/index.js';
import { ErrorCode, FinGraphError, queryTooComplex } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { RedisConnection } from '../../../lib/redis/index.js';
import type { RequestFacts } from '../../../lib/server/graphqlHttp.js';
import type { GatewayContext } from '../../context.js';
import { type OperationCost, oneUnitPerOperation } from './cost.js';
import { FallbackRateLimitStore, shareOf } from './fallbackStore.js';
import { countFields } from './fieldCounts.js';
import { rateLimitHeaders } from './headers.js';
import { budgetKeys } from './keys.js';
import { MemoryRateLimitStore } from './memoryStore.js';
import type { Rate, RateLimitOptions } from './options.js';
import { RedisRateLimitStore } from './redisStore.js';
import type { BudgetCharge, BudgetState, RateLimitStore } from './store.js';

export { readRateLimitOptions } from './config.js';
export { type OperationCost, oneUnitPerOperation } from './cost.js';
export type { Rate, RateLimitOptions } from './options.js';

export interface RateLimitsSetup {
  readonly options: RateLimitOptions;
  /** The gateway's Redis; none: every replica limits alone at its share (development). */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  /** What an operation costs; default one unit per operation (cost.ts). */
  readonly cost?: OperationCost;
  /** Milliseconds since the epoch for the in-process limiter; tests move it. Redis keeps its own time. */
  readonly now?: () => number;
  /** Told of each refusal with the policies (budgets) that refused it, for the metrics; default: no one. */
  readonly onRefused?: (policies: readonly string[]) => void;
}

type BuildContext = (request: IncomingMessage, facts: RequestFacts, body: unknown) => Promise<GatewayContext>;
type Admit = (request: IncomingMessage, facts: RequestFacts) => void | Promise<void>;

export interface RateLimits {
  /** Wraps the authentication's context builder: requests without a valid token are charged to their IP. */
  guardContext(inner: BuildContext): BuildContext;
  /**
   * Wraps the edge's refusal from headers (no bearer token at all, before the body is read): such a request carries no
   * valid token either, so it is charged to its address, and once that budget is spent it is answered 429, not 401.
   */
  guardAdmit(inner: Admit): Admit;
  /** Charges a principal's operation before planning; sets the RateLimit fields on its answer. */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Lets the context guard set headers on the answer of a request it refuses or charges: call once after listening. */
  attach(server: Server): void;
  /** Which store answers (memory, redis-single+local, …) for the start-up log. */
  readonly kind: string;
  /** The Redis fallback's state as a breaker's (fallbackStore.ts), read by the metrics; undefined without Redis. */
  breakerState(): BreakerState | undefined;
  close(): Promise<void>;
}

/** Claims the principal does not carry (it holds only what subgraphs need), read from the token that verified. */
interface ClientClaims {
  readonly client: string;
  readonly plan: string | undefined;
}

function clientClaims(request: IncomingMessage, principal: Principal): ClientClaims {
  // The context was built from this very header and verified, so its claims are the token's own; decoding is no trust.
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  const claims = token ? jwt.decode(token) : null;
  const read = (name: string): string | undefined => {
    const value = claims && typeof claims === 'object' ? (claims as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && value !== '' && value.length <= 256 ? value : undefined;
  };
  return { client: read('azp') ?? read('client_id') ?? principal.sub, plan: read('plan') };
}

/** The caller's address: the socket's, or the one the outermost of `hops` trusted proxies saw (X-Forwarded-For). */
export function clientAddress(request: IncomingMessage, hops: number): string {
  const socket = request.socket.remoteAddress ?? 'unknown';
  if (hops === 0) return socket;
  const header = request.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Each trusted proxy appends the address it saw; entries further left were written by the client and prove nothing.
  // Fewer entries than trusted proxies: the request did not come through them all, so only the socket is known.
  return list[list.length - hops] ?? socket;
}

function refusal(states: readonly BudgetState[], onRefused: RateLimitsSetup['onRefused']): FinGraphError {
  const refused = states.filter((state) => !state.allowed);
  onRefused?.(refused.map((state) => state.policy));
  const retryAfterSeconds = Math.max(...refused.map((state) => state.retryAfterSeconds));
  const names = refused.map((state) => state.policy).join(', ');
  return new FinGraphError(ErrorCode.RATE_LIMITED, `Rate limit reached (${names}); retry after ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/** Costs beyond any burst (a fragment bomb counts to 2^30 and more) stay finite numbers Redis's Lua reads back. */
const MAX_COST = 1e12;

function boundedCost(units: number): number {
  return Number.isFinite(units) ? Math.min(Math.max(0, units), MAX_COST) : MAX_COST;
}

function scaled(rate: Rate, share: number): Rate {
  return { units: rate.units * share, periodSeconds: rate.periodSeconds, burst: Math.max(1, rate.burst * share) };
}

export async function createRateLimits(setup: RateLimitsSetup): Promise<RateLimits> {
  const { options, logger } = setup;
  const cost = setup.cost ?? oneUnitPerOperation;
  if (!options.enabled) {
    return {
      guardContext: (inner) => inner,
      guardAdmit: (inner) => inner,
      plugin: {},
      attach: () => undefined,
      kind: 'off',
      breakerState: () => undefined,
      close: async () => undefined,
    };
  }
  let store: RateLimitStore;
  let fallback: FallbackRateLimitStore | undefined;
  if (setup.redis) {
    const redis = new RedisRateLimitStore({ connection: setup.redis, commandTimeoutMs: options.redisTimeoutMs });
    // Connected before the first request, so a normal start never logs an outage; a Redis down at start is one.
    await redis.ready(1000);
    fallback = new FallbackRateLimitStore({
      primary: redis,
      replicas: options.replicas,
      logger,
      ...(setup.now ? { now: setup.now } : {}),
    });
    store = fallback;
  } else {
    // No Redis: nothing is shared, so each replica keeps to its share, as in an outage.
    const local = new MemoryRateLimitStore(setup.now ? { now: setup.now } : {});
    store = {
      kind: 'memory',
      consume: (charges) => local.consume(charges.map((charge) => ({ ...charge, rate: shareOf(charge.rate, options.replicas) }))),
      close: () => local.close(),
    };
  }
  const responses = new WeakMap<IncomingMessage, ServerResponse>();
  // Keyed by the principal: Apollo Server hands plugins a shallow copy of the context, whose principal is the same object.
  const claimsOf = new WeakMap<Principal, ClientClaims>();

  const setHeaders = (response: ServerResponse | undefined, states: readonly BudgetState[]) => {
    if (!response || response.headersSent) return;
    for (const [name, value] of Object.entries(rateLimitHeaders(states))) response.setHeader(name, value);
  };

  async function chargeAddress(request: IncomingMessage, facts: RequestFacts): Promise<void> {
    const address = clientAddress(request, options.trustedProxyHops);
    const states = await store.consume([{ policy: 'ip', key: budgetKeys.ip(address), rate: options.ip, cost: 1 }]);
    setHeaders(responses.get(request), states);
    if (states.every((state) => state.allowed)) return;
    logger.info({ requestId: facts.requestId, policy: 'ip' }, 'rate limited');
    throw refusal(states, setup.onRefused);
  }

  function principalCharges(principal: Principal, units: number, counts: ReadonlyMap<string, number>) {
    const { client, plan } = claimsOf.get(principal) ?? { client: principal.sub, plan: undefined };
    const rate = options.plans.get(plan ?? 'default') ?? (options.plans.get('default') as Rate);
    const charges: BudgetCharge[] = [
      { policy: 'tenant', key: budgetKeys.tenant(principal.tenant), rate, cost: units },
      { policy: 'client', key: budgetKeys.client(principal.tenant, client), rate: scaled(rate, options.clientShare), cost: units },
    ];
    const payments = counts.get('initiatePayment') ?? 0;
    if (payments > 0) {
      charges.push({
        policy: 'payments',
        key: budgetKeys.payments(principal.tenant, principal.sub),
        rate: options.payments,
        cost: boundedCost(payments),
      });
    }
    const reports = counts.get('creditReport') ?? 0;
    if (reports > 0) {
      charges.push({
        policy: 'credit-reports',
        key: budgetKeys.creditReports(principal.tenant, principal.sub),
        rate: options.creditReports,
        cost: boundedCost(reports),
      });
    }
    return charges;
  }

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let states: readonly BudgetState[] | undefined;
      return {
        async didResolveOperation(requestContext) {
          const { principal, requestId } = requestContext.contextValue;
          const operation = requestContext.operation;
          if (!principal || !operation) return; // without a principal, charged to its IP by the context guard
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of requestContext.document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          }
          const counts = countFields({
            operation,
            fragments,
            variables: requestContext.request.variables ?? {},
            names: ['initiatePayment', 'creditReport'],
          });
          const units = boundedCost(cost(requestContext));
          const charges = principalCharges(principal, units, counts);
          // An operation costing more than a budget can ever hold would wait for ever: a 429 would promise a retry that
          // never passes. It is refused as too complex for its budget instead (configuration should prevent this).
          const overBurst = charges.find((charge) => charge.cost > charge.rate.burst);
          if (overBurst) throw queryTooComplex('rateBurst', overBurst.rate.burst, overBurst.cost);
          states = await store.consume(charges);
          if (states.every((state) => state.allowed)) return;
          logger.info(
            { requestId, tenant: principal.tenant, policy: states.filter((state) => !state.allowed).map((state) => state.policy) },
            'rate limited',
          );
          throw refusal(states, setup.onRefused);
        },
        async willSendResponse(requestContext) {
          const { principal } = requestContext.contextValue;
          if (!principal) return;
          if (!states) {
            // Refused before an operation was resolved (a parse or validation error): the budgets are read, not spent.
            try {
              states = await store.consume(principalCharges(principal, 0, new Map()));
            } catch {
              return; // the fields are advice; an answer is not held back for them
            }
          }
          for (const [name, value] of Object.entries(rateLimitHeaders(states))) requestContext.response.http.headers.set(name, value);
        },
      };
    },
  };

  return {
    kind: store.kind,
    breakerState: () => fallback?.breakerState,
    plugin,
    attach(server) {
      server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => responses.set(request, response));
    },
    guardAdmit(inner) {
      return async (request, facts) => {
        try {
          await inner(request, facts);
        } catch (error) {
          if (error instanceof FinGraphError && error.code === ErrorCode.UNAUTHENTICATED) await chargeAddress(request, facts);
          throw error;
        }
      };
    },
    guardContext(inner) {
      return async (request, facts, body) => {
        let context: GatewayContext;
        try {
          context = await inner(request, facts, body);
        } catch (error) {
          // Refused before a principal exists (a bad token, or the edge's checks of the document, which run first):
          // the work done so far is charged to the address, or a forged token with a refused document would be free.
          if (error instanceof FinGraphError) await chargeAddress(request, facts);
          throw error;
        }
        if (context.principal) claimsOf.set(context.principal, clientClaims(request, context.principal));
        else await chargeAddress(request, facts);
        return context;
      };
    },
    close: () => store.close(),
  };
}
