// Nothing leaves the platform that was not asked for. Apollo's libraries reach Apollo's servers by default in three
// ways: @apollo/gateway exports host metrics every hour (and once more when it stops) unless APOLLO_TELEMETRY_DISABLED
// is set when it is constructed; Apollo Server installs usage and schema reporting whenever APOLLO_KEY happens to be
// in the environment; and its default landing page makes a browser load Apollo's scripts from a CDN. Every FinGraph
// server switches all of them off here, in code, so no environment (a stray APOLLO_KEY on a host) turns them back on.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';

/** The variable @apollo/gateway reads in its constructor; `true` stops its host-metrics exporter. */
export const APOLLO_TELEMETRY_VARIABLE = 'APOLLO_TELEMETRY_DISABLED';

/**
 * Call immediately before constructing an ApolloGateway: the constructor reads the variable once, and an exporter it
 * has started is not stopped by setting it later. Overrides any value given (an operator's `false` included).
 */
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env[APOLLO_TELEMETRY_VARIABLE] = 'true';
}

/** Plugins for every ApolloServer we build: no landing page, no usage reporting, no schema reporting. */
export function offlinePlugins(): Array<ApolloServerPlugin<BaseContext>> {
  return [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()];
}
