// Run-time consent state over the seeded consents: the control API can force one to expire or make it valid again.
// Expiry is judged against the real clock by default, because connectors compare ExpirationDateTime with theirs.
import { dayMs } from './seed/time.js';
import type { SeedConsent, World } from './seed/types.js';

export interface ConsentState {
  /** The effective ExpirationDateTime (ms): the seeded one unless the control API changed it. */
  expiresAt(consent: SeedConsent): number;
  isExpired(consent: SeedConsent, now?: number): boolean;
  /** Expires the consent now. Undefined when there is no such consent. */
  expire(consentId: string): SeedConsent | undefined;
  /** Undoes `expire`; a consent whose seeded expiry has passed is re-authorised for 90 days from now. */
  restore(consentId: string): SeedConsent | undefined;
  reset(): void;
}

/** `now` is the clock expiry is judged against: the real one unless a test freezes it. */
export function createConsentState(world: World, now: () => number = Date.now): ConsentState {
  const overrides = new Map<string, number>();
  const wholeSecondNow = () => Math.floor(now() / 1000) * 1000;
  const expiresAt = (consent: SeedConsent) => overrides.get(consent.id) ?? consent.expiresAt;
  return {
    expiresAt,
    isExpired: (consent, at = now()) => expiresAt(consent) <= at,
    expire(consentId) {
      const consent = world.consents.get(consentId);
      if (consent) overrides.set(consent.id, wholeSecondNow());
      return consent;
    },
    restore(consentId) {
      const consent = world.consents.get(consentId);
      if (!consent) return undefined;
      if (consent.expiresAt > now()) overrides.delete(consent.id);
      else overrides.set(consent.id, wholeSecondNow() + 90 * dayMs);
      return consent;
    },
    reset: () => overrides.clear(),
  };
}
