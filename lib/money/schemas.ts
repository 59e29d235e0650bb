// Zod schemas for money at a connector's edge: an upstream's currency code, in whatever case it sends, becomes a
// checked ISO 4217 code, or the payload fails validation.
import { z } from 'zod';
import { type CurrencyCode, parseCurrencyCode } from './currency.js';

export const currencyCodeSchema = z.string().transform((value, ctx): CurrencyCode => {
  const code = parseCurrencyCode(value);
  if (!code) {
    ctx.addIssue({ code: 'custom', message: 'unknown currency' });
    return z.NEVER;
  }
  return code;
});
