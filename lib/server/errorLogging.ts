// Logs the errors of each GraphQL request under its request id. The client of an unplanned error sees only "Internal
// server error" (lib/errors/format.ts), so its name, message and stack must be in our logs or they are nowhere.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { ErrorCode, formatError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';

export type ErrorLoggingContext = BaseContext & { readonly requestId?: string };

/** The error a resolver or library threw, beneath the GraphQLErrors that wrap it on its way out. */
function originalOf(error: GraphQLError): Error {
  let current: Error = error;
  while ('originalError' in current && current.originalError instanceof Error) current = current.originalError;
  return current;
}

/**
 * Asks the one formatter, rather than listing codes here, so that exactly the errors a client sees masked are the ones
 * logged in full: a missing code, INTERNAL_SERVER_ERROR, or a code a library made up.
 */
function isUnplanned(error: GraphQLError): boolean {
  return formatError({ message: error.message, extensions: error.extensions }).extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR;
}

export function createErrorLoggingPlugin(logger: Logger): ApolloServerPlugin<ErrorLoggingContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const requestId = contextValue.requestId;
          const planned: Array<{ code: unknown; path: GraphQLError['path'] }> = [];
          for (const error of errors) {
            if (!isUnplanned(error)) {
              planned.push({ code: error.extensions.code, path: error.path });
              continue;
            }
            const original = originalOf(error);
            // Named fields rather than the error object under pino's `err` key, whose serializer would copy every own
            // property of the error, and those may hold an upstream body.
            logger.error(
              {
                requestId,
                path: error.path,
                error: { name: original.name, message: original.message, stack: original.stack },
              },
              'unplanned error',
            );
          }
          // One line for the planned ones: their messages went to the client already, the codes say enough here.
          if (planned.length > 0) logger.info({ requestId, errors: planned }, 'planned errors');
        },
      };
    },
  };
}
