// Tracing as deployed: the gateway and the accounts subgraph each run as their own process with TRACING_OTLP_ENDPOINT
// pointed at a stand-in OTLP/HTTP collector. One request's spans reach it from both processes, under each one's
// `service.name`, in one trace across the process boundary (the subgraph's SERVER span is the child of the gateway's
// `gateway.fetch`), exported at the latest when the processes stop. And a process with only OpenTelemetry's own
// OTEL_EXPORTER_OTLP_ENDPOINT set sends nothing: only FinGraph's variable switches tracing on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deriveSubgraphKey } from '../../lib/auth/internalToken.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { postGraphQL } from '../support/http.js';
import { freePorts } from '../support/ports.js';
import { type ServiceProcess, startService } from '../support/serviceProcess.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys, tokenFor } from '../support/tokens.js';

/** OTLP/JSON as the exporter sends it, reduced to what the test reads. */
interface ExportRequest {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }> }>;
  }>;
}
interface ExportedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
}

/** OTLP's SpanKind numbering (SPAN_KIND_SERVER is 2, CLIENT 3). */
const SERVER = 2;
const CLIENT = 3;

/** A stand-in collector: keeps every body POSTed to /v1/traces, answers anything else 404 (it also plays the upstream). */
async function startCollector(): Promise<{ server: Server; url: string; exports: ExportRequest[] }> {
  const exports: ExportRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

function spansOf(exports: readonly ExportRequest[]): ExportedSpan[] {
  return exports.flatMap((body) =>
    body.resourceSpans.flatMap((resource) => {
      const service = resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
      return resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          service,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: span.kind,
        })),
      );
    }),
  );
}

describe('tracing exported by OTLP from separate processes', () => {
  const folder = mkdtempSync(join(tmpdir(), 'fingraph-tracing-export-'));
  const processes: ServiceProcess[] = [];
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let ignored: Awaited<ReturnType<typeof startCollector>>;
  let gatewayUrl: string;
  let accountsUrl: string;

  before(async () => {
    collector = await startCollector();
    ignored = await startCollector();
    const [gatewayPort, accountsPort, otherPort] = (await freePorts(3)) as [number, number, number];
    const accountsEnv = (port: number) => ({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      // Its upstreams are the collector too: each call fails (404), which still makes an upstream span.
      UPSTREAM_BASE_URL: collector.url,
      ACCOUNTS_PORT: String(port),
      ACCOUNTS_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'accounts').toString('base64'),
    });
    const accounts = startService('accounts', 'subgraphs/accounts/index.js', {
      ...accountsEnv(accountsPort),
      TRACING_OTLP_ENDPOINT: collector.url,
    });
    // The same subgraph with only OpenTelemetry's standard variables pointing at a collector of its own.
    const other = startService('accounts-otel-only', 'subgraphs/accounts/index.js', {
      ...accountsEnv(otherPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: ignored.url,
      OTEL_TRACES_EXPORTER: 'otlp',
    });
    const publicKeyFile = join(folder, 'jwt-public.pem');
    writeFileSync(publicKeyFile, testKeys.publicKeyPem);
    const gateway = startService('gateway', 'gateway/index.js', {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(gatewayPort),
      JWT_PUBLIC_KEY_FILES: publicKeyFile,
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
      // Only accounts runs: this test's operation reaches no other subgraph.
      ...Object.fromEntries(
        subgraphs.map(({ name }) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `http://127.0.0.1:${accountsPort}/graphql`]),
      ),
      TRACING_OTLP_ENDPOINT: `${collector.url}/v1/traces`,
    });
    processes.push(accounts, other, gateway);
    await Promise.all([
      accounts.healthy(`http://127.0.0.1:${accountsPort}/healthz`),
      other.healthy(`http://127.0.0.1:${otherPort}/healthz`),
      gateway.healthy(`http://127.0.0.1:${gatewayPort}/healthz`),
    ]);
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    accountsUrl = `http://127.0.0.1:${otherPort}/graphql`;
  });

  after(async () => {
    for (const service of processes) await service.stop();
    await new Promise<void>((resolve) => collector.server.close(() => resolve()));
    await new Promise<void>((resolve) => ignored.server.close(() => resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it("sends one request's spans from both processes, in one trace across them, by the time they stop", async () => {
    const answer = await postGraphQL(gatewayUrl, 'query ($c: CurrencyCode!) { cashPosition(reportingCurrency: $c) { complete } }', {
      token: tokenFor({ role: 'cfo', tenant: 'acme' }),
      variables: { c: 'USD' },
    });
    const traceId = answer.body.extensions?.traceId;
    assert.equal(typeof traceId, 'string', JSON.stringify(answer.body));
    // Also a request the other subgraph refuses (no internal token): traced there, if its tracing were on.
    assert.equal((await postGraphQL(accountsUrl, '{ __typename }')).status, 401);

    // A stop shuts each provider down, which exports what its batch still holds.
    for (const service of processes) assert.equal(await service.stop(), 0, service.output());

    const spans = spansOf(collector.exports);
    const mine = spans.filter((span) => span.traceId === traceId);
    assert.deepEqual([...new Set(spans.map((span) => span.service))].sort(), ['fingraph-accounts', 'fingraph-gateway']);
    const gatewayServer = mine.find((span) => span.service === 'fingraph-gateway' && span.kind === SERVER);
    assert.ok(gatewayServer, 'the gateway exported its SERVER span');
    assert.equal(gatewayServer.parentSpanId, undefined);
    const accountsServer = mine.find((span) => span.service === 'fingraph-accounts' && span.kind === SERVER);
    assert.ok(accountsServer, 'the subgraph exported its SERVER span in the same trace');
    const fetch = mine.find((span) => span.spanId === accountsServer.parentSpanId);
    assert.equal(fetch?.name, 'gateway.fetch');
    assert.equal(fetch?.service, 'fingraph-gateway');
    const upstream = mine.filter(
      (span) => span.service === 'fingraph-accounts' && span.kind === CLIENT && span.name.startsWith('upstream '),
    );
    assert.ok(upstream.length > 0, 'the subgraph exported its upstream calls');
    const ids = new Set(mine.map((span) => span.spanId));
    for (const span of mine)
      if (span !== gatewayServer) assert.ok(ids.has(span.parentSpanId ?? ''), `${span.name} has its parent in the trace`);

    assert.deepEqual(ignored.exports, [], 'OTEL_EXPORTER_OTLP_ENDPOINT alone sends nothing');
  });

  it('says in its log when spans cannot be exported, and serves and stops as usual', async () => {
    const [port, closed] = (await freePorts(2)) as [number, number];
    const accounts = startService('accounts-collector-down', 'subgraphs/accounts/index.js', {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      UPSTREAM_BASE_URL: collector.url,
      ACCOUNTS_PORT: String(port),
      ACCOUNTS_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'accounts').toString('base64'),
      // Nothing listens there (freePorts closed it again).
      TRACING_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
    });
    processes.push(accounts);
    await accounts.healthy(`http://127.0.0.1:${port}/healthz`);
    assert.equal((await postGraphQL(`http://127.0.0.1:${port}/graphql`, '{ __typename }')).status, 401);
    // The stop's flush is the export that fails.
    assert.equal(await accounts.stop(), 0, accounts.output());
    const warnings = accounts
      .output()
      .split('\n')
      .filter((line) => line.includes('tracing: spans could not be exported'));
    assert.equal(warnings.length, 1, accounts.output());
    assert.ok(!(warnings[0] as string).includes(String(closed)), 'the warning does not name the collector');
  });
});
