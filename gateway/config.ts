// The gateway's configuration, read once from the environment and validated at start-up.
import { readFileSync } from 'node:fs';
import { ConfigError, readBase64Key, readInt, readPort, readString, readUrl, type Env } from '../lib/config/env.js';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs } from '../schema/subgraphs.js';

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly supergraphSdl: string;
  /** Subgraph name → URL, from SUBGRAPH_<NAME>_URL or the supergraph's default. */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  readonly jwt: {
    readonly publicKeyPem: string;
    readonly issuer: string;
    readonly audience: string;
    readonly clockToleranceSeconds: number;
  };
  /** Master secret from which each subgraph's internal-token key is derived. */
  readonly internalTokenSecret: Buffer;
}

function readFile(variable: string, path: string, expected: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(variable, expected, path);
  }
}

export function readGatewayConfig(env: Env): GatewayConfig {
  const host = readString(env, 'GATEWAY_HOST', '127.0.0.1');
  const port = readPort(env, 'GATEWAY_PORT', 4000);
  const supergraphFile = readString(env, 'SUPERGRAPH_FILE', fromRoot('schema', 'supergraph.graphql'));
  const publicKeyFile = readString(env, 'JWT_PUBLIC_KEY_FILE', fromRoot('.keys', 'dev-jwt-public.pem'));
  const publicKeyPem = readFile('JWT_PUBLIC_KEY_FILE', publicKeyFile, 'a readable PEM public key file (npm start creates a development one)');
  if (!publicKeyPem.includes('PUBLIC KEY')) throw new ConfigError('JWT_PUBLIC_KEY_FILE', 'a PEM public key', publicKeyFile);
  return {
    host,
    port,
    supergraphSdl: readFile('SUPERGRAPH_FILE', supergraphFile, 'a readable supergraph SDL file (npm run compose writes it)'),
    subgraphUrls: new Map(subgraphs.map((subgraph) => [
      subgraph.name, readUrl(env, `SUBGRAPH_${subgraph.name.toUpperCase()}_URL`, subgraph.defaultUrl),
    ])),
    jwt: {
      publicKeyPem,
      issuer: readString(env, 'JWT_ISSUER', 'https://auth.fingraph.local/'),
      audience: readString(env, 'JWT_AUDIENCE', 'fingraph-api'),
      clockToleranceSeconds: readInt(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
    },
    internalTokenSecret: readBase64Key(env, 'INTERNAL_TOKEN_SECRET'),
  };
}
