// Which Redis a service talks to (one server, Sentinel or Cluster), and how to name it in a log line without its
// password. Only the shape: config.ts reads it from the environment, client.ts turns it into an ioredis client.

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export type RedisConnection =
  | { readonly mode: 'single' /** `redis://[user:password@]host:port[/db]` or `rediss://…` */; readonly url: string }
  | { readonly mode: 'sentinel'; readonly sentinels: readonly HostPort[] /** The master group's name. */; readonly name: string }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[] };

/** Where the connection goes, for start-up logs: hosts and ports only, never a user or a password. */
export function describeRedisConnection(connection: RedisConnection): string {
  switch (connection.mode) {
    case 'single': {
      const url = new URL(connection.url);
      return `${url.hostname}:${url.port || '6379'}`;
    }
    case 'sentinel':
      return `${connection.name} via ${connection.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
    case 'cluster':
      return connection.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  }
}
