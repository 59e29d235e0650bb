// Error codes, the FinGraphError class and the single formatter.
export * from './codes.js';
export * from './fingraphError.js';
export * from './format.js';
