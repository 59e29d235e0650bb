// The contract's operations, read from the repository's copy (test/contract/), itself checked against ../shared.
import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/config/paths.js';
import { credentials } from './bankTruth.js';
import type { Stack } from './stack.js';
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

/** The customer the contract's requests are made for, and their USD account (InitiatePayment's source). */
export interface ContractCustomer {
  readonly id: string;
  readonly usdAccountId: string;
}

/**
 * A customer banking only at core banks (no Open Banking consent that could have expired, so every part of their
 * view is served), found through the sandbox's directory, and their USD account, read through the gateway.
 */
export async function contractCustomer(stack: Pick<Stack, 'upstream' | 'graphql'>): Promise<ContractCustomer> {
  const directory = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
    data: Array<{ id: string; bank_links: Array<{ type: string }> }>;
  };
  const found = directory.data.find(
    (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
  );
  if (!found) throw new Error('the sandbox seeds no customer banking only at core banks');
  const listed = await stack.graphql('query ($id: ID!) { customer(id: $id) { accounts { id currency } } }', {
    token: tokenFor({ role: 'admin', tenant: 'acme' }),
    variables: { id: found.id },
  });
  const accounts = (listed.body.data?.customer as { accounts: Array<{ id: string; currency: string }> } | undefined)?.accounts;
  const usd = accounts?.find((account) => account.currency === 'USD');
  if (!usd) throw new Error(`customer ${found.id} holds no USD account`);
  return { id: found.id, usdAccountId: usd.id };
}
