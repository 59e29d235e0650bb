// Errors that accompany data rather than replace it: a resolver that returns what it could read (the banks that
// answered) records an error for what it could not (the bank whose consent expired), and this plugin adds those
// errors, formatted, to the response beside the data.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type GraphQLFormattedError, type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { type FinGraphError, formatError } from '../errors/index.js';

export interface PartialErrorsContext extends BaseContext {
  readonly partialErrors: GraphQLFormattedError[];
}

export function addPartialError(context: PartialErrorsContext, info: GraphQLResolveInfo, error: FinGraphError): void {
  context.partialErrors.push(
    formatError({
      message: error.message,
      path: responsePathAsArray(info.path),
      extensions: error.extensions,
    }),
  );
}

export function createPartialErrorsPlugin<T extends PartialErrorsContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.partialErrors.length === 0) return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...contextValue.partialErrors];
        },
      };
    },
  };
}
