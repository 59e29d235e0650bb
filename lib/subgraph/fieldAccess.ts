// Defence in depth: a subgraph enforces its own schema's @authenticated and @requiresScopes on its resolvers, so a
// resolver is never reached for a field the principal may not see, whoever sent the request. The gateway has already
// removed such fields; this catches anything that reaches a subgraph another way.
import { type DocumentNode, defaultFieldResolver, type GraphQLSchema, getNamedType, isObjectType } from 'graphql';
import type { Principal } from '../auth/principal.js';
import { combineRequirements, readAccessRules, refusalReason } from '../auth/requirements.js';
import { forbidden } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';

/** Wraps every protected field's resolver with a check of the request's principal; returns how many it wrapped. */
export function enforceFieldAccess(schema: GraphQLSchema, typeDefs: DocumentNode): number {
  const rules = readAccessRules(typeDefs);
  let wrapped = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      // The parent type's own rule covers entity fetches (`_entities`), where no parent field was checked.
      const requirement = combineRequirements([
        rules.types.get(type.name),
        rules.fields.get(`${type.name}.${field.name}`),
        rules.types.get(getNamedType(field.type).name),
      ]);
      if (!requirement) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { principal?: Principal; logger?: Logger }, info) => {
        const reason = refusalReason(context.principal, requirement);
        if (reason) {
          // Through the gateway this never happens (it removes such fields first): a line here means a caller reached
          // the subgraph another way, or the gateway's rules and this schema disagree.
          context.logger?.warn({ coordinate: `${type.name}.${field.name}` }, 'field refused by subgraph');
          throw forbidden(`Not allowed to read ${type.name}.${field.name}`, {
            reason: reason === 'UNAUTHENTICATED' ? 'MISSING_SCOPE' : reason,
          });
        }
        return resolve(source, args, context, info);
      };
      wrapped += 1;
    }
  }
  return wrapped;
}
