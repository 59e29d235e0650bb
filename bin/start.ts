// `npm start`: everything on one machine with one command. Generates development keys on first run, then starts the
// sandbox upstreams, each subgraph and the gateway as their own processes (as they would be deployed), waits for
// each to be healthy, and prints the gateway's URL, how to get a token and a sample query. Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { deriveSubgraphKey } from '../lib/auth/internalToken.js';
import { readPort } from '../lib/config/env.js';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs, webhookReceivers } from '../schema/subgraphs.js';
import { ensureDevKeys } from './devKeys.js';

const keys = ensureDevKeys();
const sandboxPort = readPort(process.env, 'SANDBOX_PORT', 4100);
const gatewayPort = readPort(process.env, 'GATEWAY_PORT', 4000);
const upstream = `http://127.0.0.1:${sandboxPort}`;

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, entry: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, [fromRoot('dist', entry)], {
    // `npm start` is the development stack by definition: its sandbox, keys and secrets are development ones.
    env: { ...process.env, ...env, NODE_ENV: 'development' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping everything\n`);
      void stopAll(1);
    }
  });
  children.push(child);
}

async function waitHealthy(name: string, url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become healthy at ${url}`);
}

async function stopAll(code: number): Promise<void> {
  stopping = true;
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  })));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const ports = new Map(subgraphs.map((subgraph) => [
  subgraph.name, readPort(process.env, `${subgraph.name.toUpperCase()}_PORT`, Number(new URL(subgraph.defaultUrl).port)),
]));
// The providers' webhooks go to the services that own what they report on, as a tenant registers them.
const webhookTargets = webhookReceivers
  .map(({ provider, subgraph }) => `${provider}=http://127.0.0.1:${ports.get(subgraph)}/webhooks/${provider}`).join(',');
start('sandbox', 'sandbox/index.js', { SANDBOX_PORT: String(sandboxPort), SANDBOX_WEBHOOK_TARGETS: process.env.SANDBOX_WEBHOOK_TARGETS ?? webhookTargets });
await waitHealthy('sandbox', `${upstream}/healthz`);

const subgraphUrls: Record<string, string> = {};
for (const subgraph of subgraphs) {
  const prefix = subgraph.name.toUpperCase();
  const port = ports.get(subgraph.name) as number;
  start(subgraph.name, `subgraphs/${subgraph.name}/index.js`, {
    UPSTREAM_BASE_URL: upstream,
    [`${prefix}_PORT`]: String(port),
    [`${prefix}_INTERNAL_KEY`]: deriveSubgraphKey(keys.internalSecret, subgraph.name).toString('base64'),
  });
  await waitHealthy(subgraph.name, `http://127.0.0.1:${port}/healthz`);
  subgraphUrls[`SUBGRAPH_${prefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
}

start('gateway', 'gateway/index.js', {
  ...subgraphUrls,
  GATEWAY_PORT: String(gatewayPort),
  JWT_PUBLIC_KEY_FILES: keys.publicKeyFile,
  INTERNAL_TOKEN_SECRET: keys.internalSecret.toString('base64'),
});
await waitHealthy('gateway', `http://127.0.0.1:${gatewayPort}/healthz`);

const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
process.stdout.write(`
FinGraph gateway: ${gatewayUrl}

Get a token:   TOKEN=$(npm run --silent token -- --role cfo --tenant acme)
Sample query:  curl -s ${gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
                 -d '{"query":"{ cashPosition(reportingCurrency: \\"USD\\") { total { amount currency } complete } }"}'

Ctrl-C stops everything.
`);
