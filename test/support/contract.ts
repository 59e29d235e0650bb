// The contract's operations, read from the repository's copy (test/contract/), itself checked against ../shared.
import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/config/paths.js';
import { tokenFor } from './tokens.js';

export function contractOperation(name: string): string {
  return readFileSync(fromRoot('test', 'contract', 'operations', `${name}.graphql`), 'utf8');
}

/** One contract operation as a client sends it: the document, the bearer token of the role that may run it, variables. */
export interface ContractRequest {
  readonly query: string;
  readonly token: string;
  readonly variables: Record<string, unknown>;
}

/**
 * Every operation of the contract with a token and variables that make it succeed against the sandbox, for a customer
 * banking at core banks and their USD account; the names are the contract's file names (see contractOperationNames).
 */
export function contractRequests(customer: {
  readonly id: string;
  readonly usdAccountId: string;
  readonly idempotencyKey: string;
}): Record<string, ContractRequest> {
  const admin = tokenFor({ role: 'admin', tenant: 'acme' });
  return {
    Customers: { query: contractOperation('Customers'), token: tokenFor({ role: 'support', tenant: 'acme' }), variables: { first: 5 } },
    CustomerOverview: { query: contractOperation('CustomerOverview'), token: admin, variables: { id: customer.id } },
    CustomerPII: { query: contractOperation('CustomerPII'), token: admin, variables: { id: customer.id } },
    CreditReport: {
      query: contractOperation('CreditReport'),
      token: tokenFor({ role: 'risk', tenant: 'acme' }),
      variables: { id: customer.id, purpose: 'CREDIT_TRANSACTION' },
    },
    CashPosition: {
      query: contractOperation('CashPosition'),
      token: tokenFor({ role: 'cfo', tenant: 'acme' }),
      variables: { currency: 'USD' },
    },
    Me: { query: contractOperation('Me'), token: tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id }), variables: {} },
    InitiatePayment: {
      query: contractOperation('InitiatePayment'),
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id, amr: ['pwd', 'otp'] }),
      variables: {
        input: {
          idempotencyKey: customer.idempotencyKey,
          sourceAccountId: customer.usdAccountId,
          amount: { amount: '10.00', currency: 'USD' },
          rail: 'ACH',
          counterparty: { name: 'Utility Co', accountNumber: '123456789', routingNumber: '021000021' },
        },
      },
    },
  };
}

/** The contract's operation names, from its files: a test that drives them all checks it drives exactly these. */
export function contractOperationNames(): string[] {
  return readdirSync(fromRoot('test', 'contract', 'operations'))
    .map((file) => file.replace(/\.graphql$/, ''))
    .sort();
}
