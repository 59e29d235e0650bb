// The KYC provider's webhook event (Onfido's `{ payload: { resource_type, action, object } }`), parsed with zod. Only
// a completed check is followed; any other well-formed event is acknowledged and changes nothing.
import { z } from 'zod';

const event = z.object({
  payload: z.object({
    resource_type: z.string(),
    action: z.string(),
    object: z.object({ id: z.string().min(1).max(100), status: z.string().optional() }),
  }),
});

export type KycEvent =
  | { readonly kind: 'check.completed'; readonly action: string; readonly checkId: string }
  | { readonly kind: 'not followed' };

/** Undefined when the payload is not a KYC provider's event. */
export function parseKycEvent(json: unknown): KycEvent | undefined {
  const parsed = event.safeParse(json);
  if (!parsed.success) return undefined;
  const { resource_type: resourceType, action, object } = parsed.data.payload;
  if (resourceType !== 'check' || action !== 'check.completed') return { kind: 'not followed' };
  return { kind: 'check.completed', action, checkId: object.id };
}
