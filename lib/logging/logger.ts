// Structured JSON logs (pino) with secrets and personal data redacted before a line is written, and the active
// span's trace id on every line written while one is active (lib/telemetry), so a log search finds a whole trace.
import { type Logger, type LoggerOptions, pino } from 'pino';
import { NO_TRACE_FIELDS, traceLogFields } from '../telemetry/spans.js';

export type { Logger };

/** How many objects deep a sensitive key is still redacted: 4 reaches `err.config.headers.authorization`. */
export const redactionDepth = 4;

/**
 * Paths whose values never reach a log line in clear: credentials, tokens and personal data. Each name is covered at
 * the top level and under one to three wildcards (`*.*.*.taxId`); pino's `*` also matches array indices, so
 * `list[0].account.taxId` is covered. A name deeper than `redactionDepth` is not: pino runs every wildcard path on every
 * top-level value of every line, so each extra level (24 more paths) costs about 25 µs per line. Keep logged objects
 * shallow rather than raising the depth.
 */
export const redactedPaths: readonly string[] = (() => {
  const names = [
    'authorization',
    'Authorization',
    'cookie',
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'idToken',
    'password',
    'secret',
    'apiKey',
    'api_key',
    'clientSecret',
    'x-fingraph-principal',
    'taxId',
    'tax_id',
    'ssn',
    'dateOfBirth',
    'date_of_birth',
    'dob',
    'accountNumber',
    'account_number',
    'iban',
    'Identification',
  ];
  const paths: string[] = [];
  for (const name of names) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(name);
    for (let wildcards = 0; wildcards < redactionDepth; wildcards += 1) {
      const prefix = '*.'.repeat(wildcards);
      paths.push(plain ? `${prefix}${name}` : `${prefix.slice(0, -1)}["${name}"]`);
    }
  }
  return paths;
})();

export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const config: LoggerOptions = {
    name: service,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: [...redactedPaths], censor: '[REDACTED]' },
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // `traceId` and `spanId` when a span is active; with tracing off, one context lookup and a shared empty object.
    mixin: traceLogFields,
    // pino's default merge assigns the line's fields into the mixin's object: never into the shared frozen empty one.
    mixinMergeStrategy: (mergeObject, mixinObject) =>
      mixinObject === NO_TRACE_FIELDS ? mergeObject : Object.assign(mixinObject, mergeObject),
  };
  return options.destination ? pino(config, options.destination as pino.DestinationStream) : pino(config);
}
