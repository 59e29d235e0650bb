// `npm start`: everything on one machine with one command. Generates development keys on first run, then starts the
// sandbox upstreams, each subgraph and the gateway as their own processes (as they would be deployed), waits for
// each to be healthy, and prints the gateway's URL, how to get a token and a sample query. Ctrl-C stops them all.
// A service that exits, cannot be started, or is not healthy within START_HEALTH_TIMEOUT_MS stops every other one,
// and start exits 1 with one line naming that service and why: nothing is left running behind a failed start.
import { type ChildProcess, spawn } from 'node:child_process';
import { deriveSubgraphKey } from '../lib/auth/internalToken.js';
import { loadOrExit, readInt, readPort } from '../lib/config/env.js';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs, webhookReceivers } from '../schema/subgraphs.js';
import { DEV_CACHE_KEY_ID, ensureDevKeys } from './devKeys.js';

/** How long a service that is still starting is given before a SIGKILL, once stopping has begun (its own grace is 10 s). */
const STOP_GRACE_MILLIS = 15_000;

const config = loadOrExit('start', () => ({
  sandboxPort: readPort(process.env, 'SANDBOX_PORT', 4100),
  gatewayPort: readPort(process.env, 'GATEWAY_PORT', 4000),
  ports: new Map(
    subgraphs.map((subgraph) => [
      subgraph.name,
      readPort(process.env, `${subgraph.name.toUpperCase()}_PORT`, Number(new URL(subgraph.defaultUrl).port)),
    ]),
  ),
  healthTimeoutMillis: readInt(process.env, 'START_HEALTH_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
}));
const upstream = `http://127.0.0.1:${config.sandboxPort}`;

const children: ChildProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<void> {
  stopping = true;
  const kill = setTimeout(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, STOP_GRACE_MILLIS);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          // A child that never spawned (its `error` fired instead) has no pid and will emit no exit.
          if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  clearTimeout(kill);
  process.exit(code);
}

/** The one line a failed start prints; later failures (the other services stopping) are part of the same stop. */
function fail(service: string, reason: string): void {
  if (stopping) return;
  process.stderr.write(`start: ${service} ${reason}; stopped every service\n`);
  void stopAll(1);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const healthy = new Set<string>();

function start(name: string, entry: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, [fromRoot('dist', entry)], {
    // `npm start` is the development stack by definition: its sandbox, keys and secrets are development ones.
    env: { ...process.env, ...env, NODE_ENV: 'development' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('error', (error) => fail(name, `could not be started (${error.message})`));
  child.on('exit', (code, signal) => {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    fail(name, healthy.has(name) ? how : `${how} before it was healthy`);
  });
  children.push(child);
}

/** True once GET url answers 2xx; false when the start is failing (this service's deadline passed, or another's exit). */
async function waitHealthy(name: string, url: string): Promise<boolean> {
  const deadline = Date.now() + config.healthTimeoutMillis;
  while (!stopping) {
    const left = deadline - Date.now();
    if (left <= 0) {
      fail(name, `was not healthy at ${url} within ${config.healthTimeoutMillis} ms (START_HEALTH_TIMEOUT_MS)`);
      return false;
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(left) })).ok) {
        healthy.add(name);
        return !stopping;
      }
    } catch {
      // not listening yet, or the attempt ran out of time (the deadline check above decides)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, deadline - Date.now()))));
  }
  return false;
}

async function startEverything(): Promise<boolean> {
  const keys = ensureDevKeys();
  // The providers' webhooks go to the services that own what they report on, as a tenant registers them.
  const webhookTargets = webhookReceivers
    .map(({ provider, subgraph }) => `${provider}=http://127.0.0.1:${config.ports.get(subgraph)}/webhooks/${provider}`)
    .join(',');
  start('sandbox', 'sandbox/index.js', {
    SANDBOX_PORT: String(config.sandboxPort),
    SANDBOX_WEBHOOK_TARGETS: process.env.SANDBOX_WEBHOOK_TARGETS ?? webhookTargets,
  });
  if (!(await waitHealthy('sandbox', `${upstream}/healthz`))) return false;

  // Every service's audit records in day files under the repository's .audit/ (git-ignored), one stream each, unless
  // the environment names another store; the checkpoint key is the development one in .keys/.
  const auditEnv = {
    AUDIT_SINK: process.env.AUDIT_SINK ?? 'file',
    AUDIT_DIRECTORY: process.env.AUDIT_DIRECTORY ?? fromRoot('.audit'),
    AUDIT_SIGNING_KEY_FILE: process.env.AUDIT_SIGNING_KEY_FILE ?? keys.auditSigningKeyFile,
  };
  const subgraphUrls: Record<string, string> = {};
  for (const subgraph of subgraphs) {
    const prefix = subgraph.name.toUpperCase();
    const port = config.ports.get(subgraph.name) as number;
    start(subgraph.name, `subgraphs/${subgraph.name}/index.js`, {
      UPSTREAM_BASE_URL: upstream,
      ...auditEnv,
      [`${prefix}_PORT`]: String(port),
      [`${prefix}_INTERNAL_KEY`]: deriveSubgraphKey(keys.internalSecret, subgraph.name).toString('base64'),
      // One development key for every subgraph, so that with REDIS_URL what one writes the others (and the next run)
      // can read; a key given in the environment wins.
      CACHE_ENCRYPTION_KEYS: process.env.CACHE_ENCRYPTION_KEYS ?? `${DEV_CACHE_KEY_ID}:${keys.cacheKey.toString('base64')}`,
    });
    if (!(await waitHealthy(subgraph.name, `http://127.0.0.1:${port}/healthz`))) return false;
    subgraphUrls[`SUBGRAPH_${prefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
  }

  start('gateway', 'gateway/index.js', {
    ...subgraphUrls,
    ...auditEnv,
    GATEWAY_PORT: String(config.gatewayPort),
    JWT_PUBLIC_KEY_FILES: keys.publicKeyFile,
    INTERNAL_TOKEN_SECRET: keys.internalSecret.toString('base64'),
  });
  return waitHealthy('gateway', `http://127.0.0.1:${config.gatewayPort}/healthz`);
}

const ready = await startEverything().catch((error: unknown) => {
  fail('start-up', `failed: ${error instanceof Error ? error.message : String(error)}`);
  return false;
});
if (ready) {
  const gatewayUrl = `http://127.0.0.1:${config.gatewayPort}/graphql`;
  process.stdout.write(`
FinGraph gateway: ${gatewayUrl}

Get a token:   TOKEN=$(npm run --silent token -- --role cfo --tenant acme)
Sample query:  curl -s ${gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
                 -d '{"query":"{ cashPosition(reportingCurrency: \\"USD\\") { total { amount currency } complete } }"}'

Ctrl-C stops everything.
`);
}
