// The subgraphs the supergraph is composed from, with the URL each listens on by default. The gateway may override
// any URL from its configuration (SUBGRAPH_<NAME>_URL); composition reads the schema files, never a live subgraph.
export interface SubgraphEntry {
  readonly name: string;
  readonly defaultUrl: string;
}

/** Which subgraph receives which provider's webhooks, at `<its origin>/webhooks/<provider>`. */
export const webhookReceivers = [
  { provider: 'processor', subgraph: 'payments' },
  { provider: 'transfers', subgraph: 'payments' },
  { provider: 'kyc', subgraph: 'identity' },
] as const;

export const subgraphs: readonly SubgraphEntry[] = [
  { name: 'accounts', defaultUrl: 'http://127.0.0.1:4001/graphql' },
  { name: 'identity', defaultUrl: 'http://127.0.0.1:4002/graphql' },
  { name: 'payments', defaultUrl: 'http://127.0.0.1:4003/graphql' },
  { name: 'credit', defaultUrl: 'http://127.0.0.1:4004/graphql' },
];
