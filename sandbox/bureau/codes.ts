// The bureau's code tables as its subscribers' manuals list them: permissible purposes (FCRA section 604), risk models,
// account types, tradeline statuses and score reason codes. The sandbox writes these codes on the wire; the credit
// subgraph's connector keeps its own copy of the tables, so a wrong code on either side shows up in a test.

/** Permissible purpose codes accepted in `permissiblePurpose.type`, with the FCRA clause each stands for. */
export const permissiblePurposes = {
  '3F': 'credit transaction involving the consumer (604(a)(3)(A))',
  '08': 'review of an existing account (604(a)(3)(A))',
  '0B': 'written instruction of the consumer (604(a)(2))',
  '0E': "employment purposes, with the consumer's written authorisation (604(a)(3)(B), 604(b))",
  '0I': 'insurance underwriting (604(a)(3)(C))',
  '07': 'collection of an account (604(a)(3)(A))',
} as const;
export type PurposeCode = keyof typeof permissiblePurposes;

/** Purposes the bureau never records as a hard inquiry: reviews, employment, insurance and collection are soft. */
export const softOnlyPurposes: ReadonlySet<string> = new Set(['08', '0E', '0I', '07']);

/** `addOns.riskModels.modelIndicator` values: FICO Score 8 and VantageScore 4.0, both on 300–850. */
export const riskModels = { F9: { min: 300, max: 850 }, V4: { min: 300, max: 850 } } as const;
export type RiskModelIndicator = keyof typeof riskModels;

/** Tradeline `accountType` codes the seeded files use. */
export const accountTypes = ['18', '26', '00', '12', '01', '07'] as const;

/** Tradeline `status` codes: 11 current, 12 paid/closed, 71/78/80 30/60/90 days late, 93 collection, 97 charge-off. */
export const tradelineStatuses = ['11', '11', '11', '11', '12', '71', '78', '80', '93', '97'] as const;

/** Score reason codes (FICO-style), most important first in a riskModel's scoreFactors. */
export const reasonCodes = ['01', '02', '05', '08', '10', '13', '14', '18', '20', '32'] as const;

export const creditors = [
  'NORTHWIND CARD SERVICES',
  'ALBION BANK PLC',
  'LAKESIDE AUTO FINANCE',
  'PACIFIC MORTGAGE CO',
  'FEDLOAN SERVICING',
  'CEDAR CREDIT UNION',
  'HARBOR RETAIL CARD',
  'SUMMIT PERSONAL LOANS',
  'MIDLAND RECOVERY',
  'BRIGHTSTAR AUTO',
] as const;

/** Subscribers whose hard inquiries the seeded files already hold. */
export const inquirers = ['SUMMIT PERSONAL LOANS', 'HARBOR RETAIL CARD', 'BRIGHTSTAR AUTO', 'CEDAR CREDIT UNION'] as const;
