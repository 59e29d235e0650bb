// The shape limits' options, declared once: gateway/config.ts reads them from the environment (./config.ts) in
// exactly this shape. Defaults are measured against the contract's operations (README, "Shape limits").
export interface LimitsOptions {
  /** Deepest nesting of fields, through fragments; default 10 (the contract's deepest operation is 7). */
  readonly maxDepth: number;
  /** Aliased fields, each use of a fragment counted; default 15 (the contract uses none). */
  readonly maxAliases: number;
  /** Fields at the operation's root, each use of a fragment counted; default 10 (the contract uses one). */
  readonly maxRootFields: number;
  /** Directives on any one field, fragment or variable; default 50 (a valid operation here has at most 2). */
  readonly maxDirectivesPerField: number;
  /** Lexer tokens in the document, comments excluded; default 1000 (the contract's largest has 116). */
  readonly maxTokens: number;
  /** UTF-8 bytes of the document text; default 16384 (the contract's largest is 1033 with its comments). */
  readonly maxDocumentBytes: number;
}

export const defaultLimits: LimitsOptions = {
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectivesPerField: 50,
  maxTokens: 1000,
  maxDocumentBytes: 16_384,
};
