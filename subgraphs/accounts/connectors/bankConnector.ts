// The interface every bank dialect's connector implements, so resolvers never know which API a bank speaks.
import type { Balance, BankAccount, BankLink, Institution, TransactionPage, TransactionQuery } from '../domain.js';

export interface BankConnector {
  readonly institution: Institution;
  listAccounts(link: BankLink): Promise<BankAccount[]>;
  /**
   * Balances of some of the link's accounts, in the fewest calls the bank's API allows. The map holds an entry for
   * each requested account the bank returned.
   */
  balances(link: BankLink, upstreamAccountIds: readonly string[]): Promise<Map<string, Balance>>;
  /** One page of an account's transactions, newest first; `position` is a `next` from an earlier page. */
  transactions(link: BankLink, upstreamAccountId: string, query: TransactionQuery, position?: string): Promise<TransactionPage>;
}
