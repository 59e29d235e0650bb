// The KYC provider in Onfido's API v3.6 format, all in this folder: its client (applicants, checks, reports), its
// webhook event schema, its webhook signature check and its status words. The route (../../webhooks/kyc.ts) is the
// pipeline only.
export { KYC_PROVIDER, type KycCheck, OnfidoConnector } from './client.js';
export { type KycEvent, parseKycEvent } from './events.js';
export { isSignedDelivery, isValidSignature, SIGNATURE_HEADER } from './signature.js';
export { kycStatusOf, reasonsOf } from './statuses.js';
