// Renders seeded accounts, balances and transactions in the US core banks' format: integer minor units, signed
// transaction amounts and lowercase currency codes.
import type { Ledger, SeedTransaction } from '../seed/ledger.js';
import { type Clock, isoSeconds } from '../seed/time.js';
import type { SeedAccount } from '../seed/types.js';

export function accountJson(account: SeedAccount) {
  return {
    id: account.id,
    object: 'account',
    customer_id: account.bankCustomerId ?? '',
    type: account.product === 'current' ? 'checking' : account.product,
    status: 'open',
    currency: account.currency.toLowerCase(),
    nickname: account.nickname,
    account_number: account.accountNumber,
    routing_number: account.routingNumber ?? '',
    opened_at: isoSeconds(account.openedAt),
  };
}

export function balanceJson(account: SeedAccount, ledger: Ledger, clock: Clock) {
  return {
    account_id: account.id,
    currency: account.currency.toLowerCase(),
    available: ledger.booked + ledger.pending,
    ledger: ledger.booked,
    as_of: isoSeconds(clock.asOf),
  };
}

export function transactionJson(transaction: SeedTransaction, account: SeedAccount) {
  return {
    id: transaction.id,
    account_id: account.id,
    amount: transaction.amountMinor,
    currency: account.currency.toLowerCase(),
    status: transaction.pending ? 'pending' : 'posted',
    description: transaction.description,
    posted_at: transaction.pending ? null : isoSeconds(transaction.at),
    created_at: isoSeconds(transaction.createdAt),
  };
}
