// The Apollo Server plugin that traces what @apollo/gateway's own spans do not cover (parsing, validation, and the
// operation's admission: authorisation, demand control and rate limits), and tells the client its trace id in the
// response's `extensions.traceId`, so support can find the trace from what a client reports. With tracing off it adds
// nothing: no span, no extension.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordedTraceId, TRACER_NAME } from './spans.js';

export interface TracingPluginOptions {
  /** Whether responses carry `extensions.traceId`; default true (the gateway's; a subgraph's answer is the gateway's to shape). */
  readonly exposeTraceId?: boolean;
}

/** A span under the active one (the request's SERVER span), not made active: nothing runs inside it that makes spans. */
function phase(name: string): Span {
  return trace.getTracer(TRACER_NAME).startSpan(name);
}

function endWith(span: Span, failed: boolean): void {
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * Register it first among the plugins: Apollo Server calls every plugin's `didResolveOperation` in registration order
 * and awaits them together, so the `graphql.authorise` span started by the first one covers all of them (authorisation,
 * cost, rate limits), and it ends when Apollo moves on to execution, or answers with a refusal.
 */
export function createTracingPlugin<TContext extends BaseContext>(options: TracingPluginOptions = {}): ApolloServerPlugin<TContext> {
  const exposeTraceId = options.exposeTraceId ?? true;
  return {
    async requestDidStart() {
      let admission: Span | undefined;
      const admitted = (failed: boolean) => {
        if (admission) endWith(admission, failed);
        admission = undefined;
      };
      return {
        async parsingDidStart() {
          const span = phase('graphql.parse');
          return async (error) => endWith(span, error !== undefined);
        },
        async validationDidStart() {
          const span = phase('graphql.validate');
          return async (errors) => endWith(span, (errors?.length ?? 0) > 0);
        },
        async didResolveOperation() {
          admission = phase('graphql.authorise');
        },
        async responseForOperation() {
          admitted(false);
          return null;
        },
        async willSendResponse({ response }) {
          admitted(true);
          if (!exposeTraceId || response.body.kind !== 'single') return;
          // Only a recorded trace: support must find at the collector the trace a client quotes.
          const traceId = recordedTraceId();
          if (traceId === undefined) return;
          const { singleResult } = response.body;
          singleResult.extensions = { ...singleResult.extensions, traceId };
        },
      };
    },
  };
}
