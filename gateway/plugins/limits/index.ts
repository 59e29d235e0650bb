// Shape limits at the gateway: depth, aliases, root fields, directives per field, tokens and document size, each
// refused with QUERY_TOO_COMPLEX (HTTP 400) before any planning, so no subgraph or upstream is asked. The HTTP edge
// checks every document it receives as text before Apollo Server parses it (`checkSource`, called by the hygiene
// plugin for each operation of a POST, a batch or a GET); the Apollo plugin checks again the operation Apollo resolved,
// which also covers a document the edge never saw as text (an automatic persisted query sent by its hash).
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, ParseOptions } from 'graphql';
import type { GatewayContext } from '../../context.js';
import { checkShape, checkSource, checkText } from './check.js';
import { countParsedTokens, countTokens } from './measure.js';
import type { LimitsOptions } from './options.js';

export { type LimitName, limitNames } from './check.js';
export { readLimitsOptions } from './config.js';
export { countTokens, maxDirectivesPerPlace, measureOperation, type OperationShape } from './measure.js';
export { defaultLimits, type LimitsOptions } from './options.js';

export interface LimitsPlugin {
  /** Registered with Apollo Server: checks the resolved operation before any plan is made. */
  readonly apollo: ApolloServerPlugin<GatewayContext>;
  /** For Apollo Server's parser: it stops reading at the token limit whatever path a document took to it. */
  readonly parseOptions: ParseOptions;
  /** Every limit on a document given as text; throws QUERY_TOO_COMPLEX, else returns it parsed (undefined if it does not parse). */
  checkSource(source: string): DocumentNode | undefined;
}

/** How many distinct documents found within the limits are remembered (at most 16 KiB each by default). */
const REMEMBERED_DOCUMENTS = 256;

export function createLimitsPlugin(options: LimitsOptions): LimitsPlugin {
  // The same text always measures the same: a document the edge found within every limit (clients send the same few
  // operations again and again) is neither lexed, parsed and walked again at the edge, nor walked again by the plugin.
  const withinLimits = new Map<string, DocumentNode>();
  const remember = (source: string, document: DocumentNode) => {
    withinLimits.set(source, document);
    if (withinLimits.size > REMEMBERED_DOCUMENTS) withinLimits.delete(withinLimits.keys().next().value as string);
  };
  return {
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ source, document, operation }) {
            if (!operation) return; // Apollo Server refuses an operation it could not resolve before anything runs
            if (withinLimits.has(source)) return; // measured at the edge, every operation of it
            // Counted from the token list graphql kept while parsing: no second lexing.
            checkText(options, source, () => countParsedTokens(document) ?? countTokens(source));
            // Directives need no second look: validation has already refused more than one of each per place.
            checkShape(options, document, operation);
          },
        };
      },
    },
    parseOptions: { maxTokens: options.maxTokens },
    checkSource(source) {
      const known = withinLimits.get(source);
      if (known) return known;
      const document = checkSource(options, source);
      if (document) remember(source, document);
      return document;
    },
  };
}
