// The affected resource of a record, by identifier only (`customer:cus_1`, `payment:pay_1`, `tenant:acme`): shared by
// the gateway and the subgraphs so that both name one resource the same way.

const resourcePattern = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * `kind:id`, or null when there is no id or it could not be an identifier (a client may send anything as an id; a
 * value that is not one never reaches the trail, and the record is still written).
 */
export function resourceId(kind: string, id: unknown): string | null {
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  const value = `${kind}:${id}`;
  return id !== '' && resourcePattern.test(value) ? value : null;
}
