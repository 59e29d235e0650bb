// The sandbox's anchor day in tests, shared by the stack and what reads the seeded world beside it.

/**
 * The sandbox's anchor day in tests is today (UTC), like `npm start`'s: consents expire by the real clock, so a pinned
 * past day would slowly expire every seeded consent. Tests never hard-code figures; they read the banks' own APIs.
 */
export const TEST_ANCHOR_DATE = new Date().toISOString().slice(0, 10);
