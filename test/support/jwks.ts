// A stand-in identity provider's key-set endpoint for tests: serves a JWKS over real HTTP, counts fetches, lets a
// test rotate keys, and can be made to fail (answering 503, as an identity provider in trouble does).

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyThumbprint } from '../../lib/auth/keyThumbprint.js';

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'PS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function newSigningKey(alg: SigningKey['alg']): SigningKey {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: keyThumbprint(pair.publicKey), alg, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

export interface JwksServer {
  readonly url: string;
  fetches: number;
  keys: SigningKey[];
  /** While true, every fetch is answered 503 (still counted). */
  down: boolean;
  /** When set, every fetch is answered 200 with this body instead of the key set (a broken identity provider). */
  rawBody: string | undefined;
  /** How many of the next fetches have their connection reset without an answer (counted all the same). */
  resetNext: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const state: { fetches: number; keys: SigningKey[]; down: boolean; rawBody: string | undefined; resetNext: number } = {
    fetches: 0,
    keys,
    down: false,
    rawBody: undefined,
    resetNext: 0,
  };
  const server: Server = createServer((request, response) => {
    state.fetches += 1;
    if (state.resetNext > 0) {
      state.resetNext -= 1;
      request.socket.destroy();
      return;
    }
    if (state.down) {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('identity provider unavailable');
      return;
    }
    if (state.rawBody !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(state.rawBody);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        keys: state.keys.map((key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return state.fetches;
    },
    set fetches(value: number) {
      state.fetches = value;
    },
    get keys() {
      return state.keys;
    },
    set keys(value: SigningKey[]) {
      state.keys = value;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    get rawBody() {
      return state.rawBody;
    },
    set rawBody(value: string | undefined) {
      state.rawBody = value;
    },
    get resetNext() {
      return state.resetNext;
    },
    set resetNext(value: number) {
      state.resetNext = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
