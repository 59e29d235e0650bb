// Reads the shape limits from the environment: each a whole number in its range, or the gateway refuses to start.
import { type Env, readInt } from '../../../lib/config/env.js';
import { defaultLimits, type LimitsOptions } from './options.js';

export function readLimitsOptions(env: Env): LimitsOptions {
  return {
    maxDepth: readInt(env, 'GATEWAY_MAX_DEPTH', defaultLimits.maxDepth, { min: 1, max: 1000 }),
    maxAliases: readInt(env, 'GATEWAY_MAX_ALIASES', defaultLimits.maxAliases, { min: 0, max: 100_000 }),
    maxRootFields: readInt(env, 'GATEWAY_MAX_ROOT_FIELDS', defaultLimits.maxRootFields, { min: 1, max: 1000 }),
    maxDirectivesPerField: readInt(env, 'GATEWAY_MAX_DIRECTIVES_PER_FIELD', defaultLimits.maxDirectivesPerField, { min: 1, max: 1000 }),
    maxTokens: readInt(env, 'GATEWAY_MAX_TOKENS', defaultLimits.maxTokens, { min: 10, max: 1_000_000 }),
    maxDocumentBytes: readInt(env, 'GATEWAY_MAX_DOCUMENT_BYTES', defaultLimits.maxDocumentBytes, { min: 256, max: 64 * 1024 * 1024 }),
  };
}
