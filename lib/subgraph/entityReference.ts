// The parent that a subgraph's fields on another subgraph's entity receive: the entity's key, as its
// `__resolveReference` hands it on. The generated resolver types map such entities to this (bin/codegen.mjs).
export interface EntityReference {
  readonly id: string;
}
