// One subgraph alone, as a subgraph's own tests meet it: its sandbox upstreams and the subgraph, no gateway. Requests
// carry the internal token the gateway would sign for a principal, so `_entities`, `_service` and root fields are sent
// exactly as the gateway sends them (the way graphql-hive's gateway tester and Apollo's subgraph template test one).
import { Writable } from 'node:stream';
import { deriveSubgraphKey, INTERNAL_TOKEN_HEADER, signInternalToken } from '../../lib/auth/internalToken.js';
import type { Principal } from '../../lib/auth/principal.js';
import { type Role, roles } from '../../lib/auth/roles.js';
import { createLogger } from '../../lib/logging/logger.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { credentials } from './bankTruth.js';
import { type GraphQLResponse, postGraphQL, readUpstream } from './http.js';
import { developmentSubgraphEnv, launchers, type StackSubgraphs, type SubgraphName, TEST_ANCHOR_DATE } from './stack.js';
import { testKeys } from './tokens.js';

export interface SubgraphAlone<Name extends SubgraphName> {
  readonly subgraph: StackSubgraphs[Name];
  readonly sandbox: Sandbox;
  /** Every log line the subgraph wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** A GraphQL request to the subgraph, signed for the principal as the gateway signs it (none: no token at all). */
  query(document: string, options?: { principal?: Principal; variables?: Record<string, unknown> }): Promise<GraphQLResponse>;
  /** A sandbox provider's own answer, to compute expectations from the source. */
  upstream(path: string, key: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** The principal the gateway would derive from a development token of this role. */
export function principalOf(role: Role, tenant: string, extra: { customerId?: string; amr?: string[]; sub?: string } = {}): Principal {
  return {
    sub: extra.sub ?? extra.customerId ?? `staff_${role}`,
    tenant,
    customerId: extra.customerId,
    scopes: [...roles[role]],
    amr: extra.amr ?? ['pwd'],
  };
}

/** The first customer of the tenant, as its directory lists them (read from the sandbox, not through FinGraph). */
export async function firstDirectoryCustomer(alone: Pick<SubgraphAlone<SubgraphName>, 'upstream'>, tenant: string): Promise<string> {
  const page = (await alone.upstream('/directory/v1/customers?limit=1', credentials[tenant]?.directory as string)) as {
    data: Array<{ id: string }>;
  };
  const id = page.data[0]?.id;
  if (!id) throw new Error(`the sandbox's ${tenant} directory lists no customer`);
  return id;
}

export async function startSubgraphAlone<Name extends SubgraphName>(name: Name): Promise<SubgraphAlone<Name>> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const sandbox = await createSandbox({ port: 0, host: '127.0.0.1', anchorDate: TEST_ANCHOR_DATE, latency: 'none' });
  const launch: (...args: Parameters<(typeof launchers)['accounts']>) => Promise<StackSubgraphs[Name]> = launchers[name];
  const subgraph = await launch(developmentSubgraphEnv(name, 0, sandbox.url), createLogger(name, { level: 'info', destination }), {});
  const key = deriveSubgraphKey(testKeys.internalSecret, name);
  let sequence = 0;
  return {
    subgraph,
    sandbox,
    logs,
    query(document, options = {}) {
      const headers: Record<string, string> = options.principal
        ? { [INTERNAL_TOKEN_HEADER]: signInternalToken(key, name, options.principal, `req-alone-${++sequence}`) }
        : {};
      return postGraphQL(subgraph.url, document, { headers, ...(options.variables ? { variables: options.variables } : {}) });
    },
    upstream: (path, bearer, body) => readUpstream(sandbox.url, path, bearer, body),
    async close() {
      await subgraph.close();
      await sandbox.close();
    },
  };
}
