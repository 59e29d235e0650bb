// The sandbox HTTP server: one node:http listener that routes by base path to the simulated providers, applies each
// provider's behaviour (latency, down, failures, call counts) and serves /healthz and the control API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger } from '../lib/logging/logger.js';
import { type Behaviour, createBehaviour, type LatencyMode } from './behaviour.js';
import { createBureauProvider } from './bureau/index.js';
import { createConsentState } from './consents.js';
import { type Control, controlBasePath, createControl } from './control/index.js';
import { createCoreBankingProvider } from './coreBanking/index.js';
import { createDirectoryProvider } from './directory/index.js';
import { createEcbProvider } from './ecb/index.js';
import { json, readBody } from './http/io.js';
import { matchRoute } from './http/routes.js';
import { type Provider, type ProviderId, providerIds, type SandboxRequest, type SandboxResponse } from './http/types.js';
import { createKycProvider } from './kyc/index.js';
import { createOpenBankingProvider } from './openBanking/index.js';
import { createProcessorProvider } from './processor/index.js';
import type { ProviderDeps } from './providerDeps.js';
import { createSanctionsProvider } from './sanctions/index.js';
import { createLedgerBook } from './seed/ledger.js';
import { createClock, todayUtc } from './seed/time.js';
import { buildWorld } from './seed/world.js';
import { createTransfersProvider } from './transfers/index.js';
import { createWebhookOutbox, type WebhookOutbox } from './webhooks/outbox.js';

export type { LatencyMode } from './behaviour.js';

export interface SandboxOptions {
  /** TCP port to listen on; default 0 (any free port; read it back from `port`). */
  port?: number;
  /** Interface to listen on; default "127.0.0.1". */
  host?: string;
  /** Seed of all generated data; default "fingraph". */
  seed?: string;
  /** The simulated "today", YYYY-MM-DD; default today's UTC date. */
  anchorDate?: string;
  /**
   * Simulated upstream latency; default "realistic" (10–40 ms with a slow tail, and about one payment webhook in
   * twenty duplicated or reordered), "none" for 0 ms and exact webhook delivery.
   */
  latency?: LatencyMode;
  /**
   * The clock consent expiry is judged against (ms since epoch); default Date.now. A test that pins an old anchorDate
   * can pin this too (e.g. to the anchor's noon) so consents seeded as valid stay valid as real time passes.
   */
  consentClock?: () => number;
  /** Where unexpected handler errors are logged; default a pino logger at warn level. */
  logger?: Logger;
  /** Webhook endpoint per provider at start; the control API can change them. */
  webhookTargets?: Readonly<Partial<Record<ProviderId, string>>>;
}

export interface Sandbox {
  /** Base URL, e.g. "http://127.0.0.1:4100" (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The anchor day in use (the default resolved to a date). */
  readonly anchorDate: string;
  /** Outbound webhooks: tests await `idle()` before reading what a delivery changed. */
  readonly outbox: WebhookOutbox;
  /** Stops accepting connections, lets in-flight requests finish (5 s at most) and closes keep-alive connections. */
  close(): Promise<void>;
}

/** How long close() waits for in-flight requests before cutting their connections. */
const drainMillis = 5_000;

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const clock = createClock(options.anchorDate ?? todayUtc());
  const world = buildWorld(options.seed ?? 'fingraph', clock);
  const ledgers = createLedgerBook(world);
  const consents = createConsentState(world, options.consentClock);
  const latency = options.latency ?? 'realistic';
  const behaviour = createBehaviour(providerIds, latency);
  const logger = options.logger ?? createLogger('sandbox', { level: 'warn' });
  const outbox = createWebhookOutbox({ logger, ...(options.webhookTargets ? { targets: options.webhookTargets } : {}) });
  const deps: ProviderDeps = { world, ledgers, clock, outbox, logger, latency };
  const providers: Provider[] = [
    createOpenBankingProvider('northwind', world, ledgers, consents),
    createOpenBankingProvider('albion', world, ledgers, consents),
    createCoreBankingProvider('lakeside', world, ledgers),
    createCoreBankingProvider('pacific', world, ledgers),
    createEcbProvider(clock),
    createDirectoryProvider(world),
    createProcessorProvider(deps),
    createTransfersProvider(deps),
    createKycProvider(deps),
    createSanctionsProvider(deps),
    createBureauProvider(deps),
  ];
  const control = createControl(behaviour, consents, providers, outbox, ledgers);

  const context: HandlerContext = { providers, behaviour, control, logger };

  let inFlight = 0;
  let closing: Promise<void> | undefined;
  const server = createServer((request, response) => {
    inFlight++;
    response.on('close', () => {
      inFlight--;
      if (closing && inFlight === 0) server.closeAllConnections();
    });
    if (closing) response.setHeader('connection', 'close');
    handle(context, request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'sandbox request failed');
      if (!response.headersSent) send(response, json(500, { error: 'internal sandbox error' }));
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    anchorDate: clock.anchor,
    outbox,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => server.closeAllConnections(), drainMillis);
        server.close((error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
        if (inFlight === 0) server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface HandlerContext {
  readonly providers: readonly Provider[];
  readonly behaviour: Behaviour;
  readonly control: Control;
  readonly logger: Logger;
}

async function handle(context: HandlerContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://sandbox.invalid');
  } catch {
    send(response, json(400, { error: 'invalid request target' }));
    return;
  }
  const path = url.pathname;
  const method = request.method ?? 'GET';
  if (path === '/healthz') {
    send(response, json(200, { status: 'ok' }));
    return;
  }
  if (path.startsWith(`${controlBasePath}/`)) {
    const body = method === 'POST' ? await readBody(request) : '';
    send(
      response,
      body === undefined
        ? json(413, { error: { message: 'Body too large' } })
        : context.control.handle(method, path.slice(controlBasePath.length), body),
    );
    return;
  }
  const provider = context.providers.find((p) => path === p.basePath || path.startsWith(`${p.basePath}/`));
  if (!provider) {
    send(response, json(404, { error: `No sandbox provider serves ${path}` }));
    return;
  }
  send(response, await handleProviderCall(context, provider, request, url));
}

async function handleProviderCall(
  { behaviour, logger }: HandlerContext,
  provider: Provider,
  request: IncomingMessage,
  url: URL,
): Promise<SandboxResponse> {
  const method = request.method ?? 'GET';
  const relativePath = url.pathname.slice(provider.basePath.length) || '/';
  const match = matchRoute(provider.routes, method, relativePath);
  // Unmatched calls are counted too (under "<METHOD> *"), so a connector calling a wrong path shows up.
  behaviour.count(provider.id, `${method} ${match ? match.route.template : '*'}`);
  const body = method === 'GET' ? '' : await readBody(request, 256 * 1024);
  if (body === undefined) return json(413, { error: 'Body too large' });
  const sandboxRequest: SandboxRequest = {
    method,
    path: relativePath,
    query: url.searchParams,
    headers: request.headers,
    params: match?.params ?? {},
    origin: `http://${request.headers.host ?? 'localhost'}`,
    target: `${url.pathname}${url.search}`,
    body,
  };
  const delay = behaviour.delayFor(provider.id);
  if (delay > 0) await sleep(delay);

  let response: SandboxResponse;
  if (behaviour.settings(provider.id).down) response = provider.failure('unavailable', sandboxRequest);
  else if (behaviour.shouldFail(provider.id)) response = provider.failure('internal', sandboxRequest);
  else if (!match) response = provider.failure('route_not_found', sandboxRequest);
  else {
    try {
      response = await match.route.handle(sandboxRequest);
    } catch (error) {
      logger.error({ err: error, provider: provider.id, route: match.route.template }, 'sandbox handler failed');
      response = provider.failure('internal', sandboxRequest);
    }
  }
  return provider.finish ? provider.finish(sandboxRequest, response) : response;
}

function send(response: ServerResponse, result: SandboxResponse): void {
  response.writeHead(result.status, {
    'content-type': result.contentType,
    'content-length': Buffer.byteLength(result.body),
    ...result.headers,
  });
  response.end(result.body);
}
