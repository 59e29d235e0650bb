// Prometheus metrics per service (issue 15): a registry of its own, the Apollo plugin that feeds it, its listener.
export { type MetricsConfig, readMetricsConfig } from './config.js';
export { type OperationNames, operationLabel, readOperationNames } from './operations.js';
export { createMetricsPlugin } from './plugin.js';
export {
  type AuditFigures,
  breakerStateValues,
  createServiceMetrics,
  durationBuckets,
  type FetchObservation,
  type FetchOutcome,
  type Outcome,
  REFUSED_OPERATION,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from './registry.js';
export { type MetricsListener, startMetricsListener } from './server.js';
