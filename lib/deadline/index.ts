// One deadline per GraphQL request, shared by the gateway and every subgraph: the time by which the request must be
// answered, carried through the request's async work (AsyncLocalStorage), so the one upstream client and the
// gateway's subgraph fetcher can refuse to start work that could no longer be used, without every resolver passing it.
// Between processes it travels as the milliseconds left (`x-fingraph-timeout-ms`), not as an absolute time: like
// gRPC's `grpc-timeout`, a relative budget needs no clock agreement between hosts (a skewed subgraph clock would
// otherwise see every deadline as long past, or far away).
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApolloServer, type ApolloServerOptions, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';

/** The milliseconds left of the request's deadline when the gateway sent this subgraph fetch. */
export const DEADLINE_HEADER = 'x-fingraph-timeout-ms';

const storage = new AsyncLocalStorage<number>();

/** Runs `work` under a deadline (epoch milliseconds); calls made inside it, however deep, see it. */
export function runWithDeadline<T>(deadline: number, work: () => T): T {
  return storage.run(deadline, work);
}

/** The current request's deadline (epoch milliseconds), or undefined outside a request (a webhook, a start-up load). */
export function currentDeadline(): number | undefined {
  return storage.getStore();
}

/** Milliseconds left before the current request's deadline (zero or less: passed); undefined when there is none. */
export function remainingMs(now: number = Date.now()): number | undefined {
  const deadline = storage.getStore();
  return deadline === undefined ? undefined : deadline - now;
}

/**
 * The budget handed to a subgraph: what is left, less a reserve for the subgraph's answer to travel back and be
 * merged, so a subgraph that stops at its budget answers before the gateway stops waiting and its partial answer
 * still arrives (10% of what is left, at least 25 ms).
 */
export function subgraphBudgetMs(remaining: number): number {
  return Math.floor(remaining - Math.max(25, remaining * 0.1));
}

/**
 * A subgraph's deadline for one request: the gateway's budget when it sent one, never further out than the
 * subgraph's own maximum (a header is no licence to hold the subgraph's connections longer), and that maximum when
 * there is no header. A malformed header counts as none.
 */
export function subgraphDeadline(header: string | undefined, maxMs: number, now: number = Date.now()): number {
  const budget = header !== undefined && /^-?\d{1,12}$/.test(header.trim()) ? Number(header.trim()) : maxMs;
  return now + Math.min(budget, maxMs);
}

/**
 * Apollo Server whose every HTTP request runs under a deadline computed from its head: the whole operation
 * (context, planning, every fetch and resolver) sees it through `currentDeadline()`. Apollo has no plugin hook that
 * wraps execution, so the one entry point the HTTP edge calls is wrapped here.
 */
export type DeadlineApolloServerOptions<TContext extends BaseContext> = ApolloServerOptions<TContext> & {
  /** The deadline (epoch milliseconds) of one HTTP request, from its head. */
  readonly deadlineFor: (request: HTTPGraphQLRequest) => number;
};

export class DeadlineApolloServer<TContext extends BaseContext> extends ApolloServer<TContext> {
  private readonly deadlineFor: (request: HTTPGraphQLRequest) => number;

  constructor({ deadlineFor, ...config }: DeadlineApolloServerOptions<TContext>) {
    super(config as ApolloServerOptions<TContext>);
    this.deadlineFor = deadlineFor;
  }

  override executeHTTPGraphQLRequest(
    ...args: Parameters<ApolloServer<TContext>['executeHTTPGraphQLRequest']>
  ): ReturnType<ApolloServer<TContext>['executeHTTPGraphQLRequest']> {
    return runWithDeadline(this.deadlineFor(args[0].httpGraphQLRequest), () => super.executeHTTPGraphQLRequest(...args));
  }
}
