// The limits applied to one document: its text first (bytes before anything reads it, tokens as the parser reads it,
// which stops one past the limit), then its shape (directives, depth, aliases, root fields). The first limit passed
// refuses it with QUERY_TOO_COMPLEX, naming the limit and its figures.
import { type DocumentNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { queryTooComplex } from '../../../lib/errors/index.js';
import { countTokens, maxDirectivesPerPlace, measureOperation } from './measure.js';
import type { LimitsOptions } from './options.js';

/** The names a refusal gives in `extensions.limit`: clients may branch on them, and the README documents each. */
export const limitNames = ['documentBytes', 'tokens', 'directivesPerField', 'depth', 'aliases', 'rootFields'] as const;
export type LimitName = (typeof limitNames)[number];

function refuseOver(limit: LimitName, max: number, actual: number): void {
  if (actual > max) throw queryTooComplex(limit, max, actual);
}

/** Bytes, then tokens (when `tokens` counts them), of a document's text. */
export function checkText(limits: LimitsOptions, source: string, tokens: () => number | undefined): void {
  refuseOver('documentBytes', limits.maxDocumentBytes, Buffer.byteLength(source, 'utf8'));
  const counted = tokens();
  if (counted !== undefined) refuseOver('tokens', limits.maxTokens, counted);
}

/** Directives are judged on the whole document: a directive costs its parse and validation wherever it is written. */
export function checkDirectives(limits: LimitsOptions, document: DocumentNode): void {
  refuseOver('directivesPerField', limits.maxDirectivesPerField, maxDirectivesPerPlace(document));
}

export function checkShape(limits: LimitsOptions, document: DocumentNode, operation: OperationDefinitionNode): void {
  const shape = measureOperation(document, operation);
  refuseOver('depth', limits.maxDepth, shape.depth);
  refuseOver('aliases', limits.maxAliases, shape.aliases);
  refuseOver('rootFields', limits.maxRootFields, shape.rootFields);
}

/**
 * Every limit on a document the gateway has only as text. Returns the parsed document (for the edge's own checks), or
 * undefined when it does not parse: Apollo Server then refuses it with its own syntax error. A document holding
 * several operations is judged by each of them, whichever one the request names.
 */
export function checkSource(limits: LimitsOptions, source: string): DocumentNode | undefined {
  checkText(limits, source, () => undefined);
  let document: DocumentNode;
  try {
    // The parser stops one token past the limit; only then are the tokens counted, for the refusal's `actual`.
    document = parse(source, { noLocation: true, maxTokens: limits.maxTokens });
  } catch {
    checkText(limits, source, () => countTokens(source));
    return undefined;
  }
  checkDirectives(limits, document);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) checkShape(limits, document, definition);
  }
  return document;
}
