// The rate limiter's option types, declared once: gateway/config.ts reads them from RATE_LIMIT_* and GATEWAY_REPLICAS
// (./config.ts), the plugin takes them as they are.

/** A budget as GCRA sees it: a sustained rate and how much of it may be spent at once. */
export interface Rate {
  /** Cost units refilled per `periodSeconds`: the sustained rate. */
  readonly units: number;
  /** The period `units` refill over, in seconds. */
  readonly periodSeconds: number;
  /** Most cost units spendable at once (the bucket's depth); an operation costing more is always refused. */
  readonly burst: number;
}

export interface RateLimitOptions {
  /** False: nothing is limited and no RateLimit fields are sent (for benchmarks that switch protections off). Default true. */
  readonly enabled: boolean;
  /** Tenant budgets by plan (the token's `plan` claim); `default` is required and serves tokens without a known plan. */
  readonly plans: ReadonlyMap<string, Rate>;
  /** Each client's (azp, client_id, else sub) share of its tenant's budget, in (0, 1]. Default 0.5. */
  readonly clientShare: number;
  /** The budget of one IP address for requests that carry no valid token. */
  readonly ip: Rate;
  /** Per principal: `initiatePayment` fields (money movement), counted one per field the operation asks for. */
  readonly payments: Rate;
  /** Per principal: `creditReport` fields (bureau pulls), counted one per field, times the page sizes above it. */
  readonly creditReports: Rate;
  /** How many gateway replicas share the budgets: without Redis each limits at 1/replicas of every budget. Default 1. */
  readonly replicas: number;
  /** A charge Redis has not answered within this many milliseconds falls to the local limiter. Default 100. */
  readonly redisTimeoutMs: number;
  /** How many proxies in front of the gateway append to X-Forwarded-For; 0 (default): the socket's address is the IP. */
  readonly trustedProxyHops: number;
}
