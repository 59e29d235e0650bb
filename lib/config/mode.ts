// Development rules are opt-in: only NODE_ENV=development (which `npm start` and the test stack set) gets the
// development keys, secrets, issuer, audience and in-process stores. Any other value, or none, is production, so a
// service deployed with NODE_ENV unset, `prod`, `staging` or a typo refuses to start without its real settings
// instead of running with secrets anyone can read in this repository.
import { ConfigError, type Env } from './env.js';

export type RuntimeMode = 'development' | 'production';

export function readRuntimeMode(env: Env): RuntimeMode {
  return env.NODE_ENV?.trim() === 'development' ? 'development' : 'production';
}

export function isDevelopment(env: Env): boolean {
  return readRuntimeMode(env) === 'development';
}

/**
 * A setting production needs: any one of `anyOf` (each an AND-set of variables) must be given in full. One variable is
 * `[['JWT_ISSUER']]`; a choice of key sources is `[['JWT_PUBLIC_KEY_FILES'], ['JWT_JWKS_URL'], ['JWT_HS256_SECRET']]`.
 */
export interface ProductionSetting {
  readonly anyOf: ReadonlyArray<ReadonlyArray<string>>;
  readonly what: string;
}

export function required(variable: string, what: string): ProductionSetting {
  return { anyOf: [[variable]], what };
}

/** One refusal naming every missing setting, so an operator fixes them in one go rather than one restart each. */
export class MissingSettingsError extends ConfigError {
  constructor(
    readonly variables: readonly string[],
    readonly missing: readonly string[],
  ) {
    super(variables.join(', '), 'settings', undefined);
    this.message = `production rules apply (NODE_ENV is not "development") and these settings are missing: ${missing.join('; ')}`;
    this.name = 'MissingSettingsError';
  }
}

function given(env: Env, variable: string): boolean {
  const value = env[variable];
  return value !== undefined && value.trim() !== '';
}

function describe(setting: ProductionSetting): string {
  const options = setting.anyOf.map((set) => set.join(' and '));
  return `${options.join(' or ')} (${setting.what})`;
}

/** Outside development, refuses to go on unless every setting is given; in development, checks nothing. */
export function requireProductionSettings(env: Env, settings: readonly ProductionSetting[]): void {
  if (isDevelopment(env)) return;
  const unique = [...new Map(settings.map((setting) => [JSON.stringify(setting.anyOf), setting])).values()];
  const missing = unique.filter((setting) => !setting.anyOf.some((set) => set.every((variable) => given(env, variable))));
  if (missing.length === 0) return;
  const variables = [...new Set(missing.flatMap((setting) => setting.anyOf.flat()))];
  throw new MissingSettingsError(variables, missing.map(describe));
}
