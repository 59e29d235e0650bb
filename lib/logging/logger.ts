// Structured JSON logs (pino) with secrets and personal data redacted before a line is written.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line in clear: credentials, tokens and personal data.
 * Wildcards cover the same names one and two levels down in any logged object.
 */
export const redactedPaths: readonly string[] = (() => {
  const names = [
    'authorization', 'Authorization', 'cookie', 'token', 'accessToken', 'access_token', 'refreshToken', 'idToken',
    'password', 'secret', 'apiKey', 'api_key', 'clientSecret', 'x-fingraph-principal',
    'taxId', 'tax_id', 'ssn', 'dateOfBirth', 'date_of_birth', 'dob',
    'accountNumber', 'account_number', 'iban', 'Identification',
  ];
  const paths: string[] = [];
  for (const name of names) {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
    const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
    paths.push(key.startsWith('[') ? `${key}` : key, join('*'), join('*.*'), join('req.headers'));
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
  };
  return options.destination ? pino(config, options.destination as pino.DestinationStream) : pino(config);
}
