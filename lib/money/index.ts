// Exact money: ISO 4217 currencies, bigint minor units, and conversion with a documented rounding rule.

export * from './conversion.js';
export * from './currency.js';
export * from './money.js';
export * from './schemas.js';
