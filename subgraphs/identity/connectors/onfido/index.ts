// The KYC provider in Onfido's API v3.6 format, all in this folder: its client (applicants, checks, reports), its
// webhook event schema, its webhook signature check and its status words. The route (../../webhooks/kyc.ts) is the
// pipeline only.
export { KYC_PROVIDER, OnfidoConnector, type KycCheck } from './client.js';
export { parseKycEvent, type KycEvent } from './events.js';
export { isSignedDelivery, isValidSignature, SIGNATURE_HEADER } from './signature.js';
export { kycStatusOf, reasonsOf } from './statuses.js';
