// The response side of field filtering: each refused field comes back as null with a FORBIDDEN error at its concrete
// path, beside the data the caller may see; the keys the filter added are removed again.
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { isAbstractType } from 'graphql';
import { ErrorCode } from '../../../lib/errors/index.js';
import { PLACEHOLDER_KEY, type Refusal, TYPENAME_KEY, type TypeCondition } from './operationFilter.js';

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function matchesCondition(schema: GraphQLSchema, object: JsonObject, condition: string): boolean {
  const actual = object[TYPENAME_KEY];
  if (typeof actual !== 'string') return false;
  if (actual === condition) return true;
  const type = schema.getType(condition);
  return type !== undefined && isAbstractType(type) && schema.getPossibleTypes(type).some((possible) => possible.name === actual);
}

/**
 * Every object the template's parent path reaches in the data, with its concrete path, keeping only objects of the
 * types the operation narrowed to along the way.
 */
function parentsAt(
  schema: GraphQLSchema,
  data: Json,
  template: ReadonlyArray<string>,
  conditions: readonly TypeCondition[],
  depth = 0,
  path: Array<string | number> = [],
): Array<{ object: JsonObject; path: Array<string | number> }> {
  if (isObject(data) && conditions.some((entry) => entry.at === depth && !matchesCondition(schema, data, entry.type))) return [];
  if (depth === template.length) return isObject(data) ? [{ object: data, path }] : [];
  const head = template[depth] as string;
  if (head === '@') {
    return Array.isArray(data)
      ? data.flatMap((item, index) => parentsAt(schema, item, template, conditions, depth + 1, [...path, index]))
      : [];
  }
  if (!isObject(data)) return [];
  const next = data[head];
  return next === undefined ? [] : parentsAt(schema, next, template, conditions, depth + 1, [...path, head]);
}

function stripAddedKeys(value: Json): void {
  if (Array.isArray(value)) value.forEach(stripAddedKeys);
  else if (isObject(value)) {
    delete value[PLACEHOLDER_KEY];
    delete value[TYPENAME_KEY];
    Object.values(value).forEach(stripAddedKeys);
  }
}

export function applyRefusals(
  schema: GraphQLSchema,
  data: JsonObject | null | undefined,
  refusals: readonly Refusal[],
): GraphQLFormattedError[] {
  const errors: GraphQLFormattedError[] = [];
  const done = new Set<string>();
  for (const refusal of refusals) {
    const key = refusal.path.at(-1) as string;
    const targets = data ? parentsAt(schema, data, refusal.path.slice(0, -1), refusal.typeConditions) : [];
    for (const { object, path } of targets) {
      const concrete = [...path, key];
      const id = JSON.stringify(concrete);
      if (done.has(id)) continue;
      done.add(id);
      object[key] = null;
      errors.push({
        message:
          refusal.reason === 'STEP_UP_REQUIRED'
            ? `${refusal.coordinate} needs a second authentication factor`
            : `Not allowed to read ${refusal.coordinate}`,
        path: concrete,
        extensions: { code: ErrorCode.FORBIDDEN, reason: refusal.reason },
      });
    }
  }
  if (data) stripAddedKeys(data);
  return errors;
}
