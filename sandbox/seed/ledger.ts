// Transactions and balances per account, generated on first use from a stream named by the seed and the account id
// (so one account's history never depends on which others were asked for first) and memoised for the server's life.
// Balances are derived from the same transactions, so they always agree with them.

import { fromCents } from './money.js';
import { bills, clients, employers, firstNames, lastNames, merchants, suppliers } from './names.js';
import { Rng } from './prng.js';
import { type Clock, dayMs, hourMs } from './time.js';
import type { SeedAccount, World } from './types.js';

export interface SeedTransaction {
  readonly id: string;
  readonly accountId: string;
  /** Booking time for booked transactions; authorisation time for pending ones (ms). */
  readonly at: number;
  /** When the transaction was first seen, at or before `at` (ms). */
  readonly createdAt: number;
  /** Signed minor units: negative is money out. */
  readonly amountMinor: number;
  readonly description: string;
  readonly reference: string;
  readonly pending: boolean;
}

export interface Ledger {
  /** Newest first. */
  readonly transactions: readonly SeedTransaction[];
  /** Booked balance: the opening balance plus every booked transaction. */
  readonly booked: number;
  /** Sum of the pending transactions; available = booked + pending. */
  readonly pending: number;
  /** Booked balance at the end of the day before the anchor. */
  readonly closingBooked: number;
}

/** A movement a simulated payment provider books on an account when a payment settles. */
export interface LedgerEntry {
  readonly id: string;
  /** Booking time (ms). */
  readonly at: number;
  /** Signed minor units: negative is money out. */
  readonly amountMinor: number;
  readonly description: string;
  readonly reference: string;
}

export interface LedgerBook {
  ledgerFor(account: SeedAccount): Ledger;
  /** Books a settled payment: the transaction is the newest, and the booked balance moves by its amount. */
  book(account: SeedAccount, entry: LedgerEntry): void;
  /** Forgets every booking (back to the generated ledgers), for the control API's reset. */
  resetBookings(): void;
}

export function createLedgerBook(world: World): LedgerBook {
  const memo = new Map<string, Ledger>();
  const booked = new Map<string, Ledger>();
  const generated = (account: SeedAccount): Ledger => {
    let ledger = memo.get(account.id);
    if (!ledger) {
      ledger = generateLedger(world.seed, world.clock, account);
      memo.set(account.id, ledger);
    }
    return ledger;
  };
  return {
    ledgerFor: (account) => booked.get(account.id) ?? generated(account),
    book(account, entry) {
      const ledger = booked.get(account.id) ?? generated(account);
      // Booked as the newest transaction, whatever the clock says, so that listings (newest first) show it on top.
      const at = Math.max(entry.at, (ledger.transactions[0]?.at ?? 0) + 1000);
      const transaction: SeedTransaction = { ...entry, at, accountId: account.id, createdAt: at, pending: false };
      booked.set(account.id, { ...ledger, transactions: [transaction, ...ledger.transactions], booked: ledger.booked + entry.amountMinor });
    },
    resetBookings: () => booked.clear(),
  };
}

interface Draft {
  at: number;
  /** Signed cents of a dollar-like currency, rescaled per currency at the end. */
  cents: number;
  description: string;
  /** How long before booking the transaction was first seen (seconds). */
  lagSeconds: number;
}

type Region = 'uk' | 'us';

/** Creates drafts for one day of an account's life; `day` is 00:00 UTC. */
type DayPlan = (day: number, rng: Rng) => Draft[];

function generateLedger(seed: string, clock: Clock, account: SeedAccount): Ledger {
  const rng = new Rng(`${seed}|ledger|${account.id}`);
  const region: Region = account.bank === 'northwind' || account.bank === 'albion' ? 'uk' : 'us';
  const start = Math.max(clock.windowStart, account.openedAt);
  const openedInWindow = account.openedAt > clock.windowStart;
  const plan =
    account.ownerKind === 'organisation'
      ? account.product === 'current'
        ? corporateOperating(rng, region)
        : corporateReserve(rng, region)
      : account.product === 'current'
        ? personalCurrent(rng, region)
        : personalSavings(rng, region);

  const drafts: Draft[] = [];
  if (openedInWindow) {
    const cents = account.product === 'current' ? rng.int(50_000, 300_000) : rng.int(100_000, 1_000_000);
    drafts.push({
      at: account.openedAt + hourMs,
      cents,
      description: region === 'uk' ? 'OPENING DEPOSIT' : 'INITIAL DEPOSIT',
      lagSeconds: 0,
    });
  }
  for (let day = Math.floor(start / dayMs) * dayMs; day <= clock.anchorStart; day += dayMs) {
    for (const draft of plan(day, rng)) if (draft.at > start && draft.at < clock.asOf) drafts.push(draft);
  }
  drafts.sort((a, b) => a.at - b.at);

  // The newest few are still pending, as long as they are recent enough to plausibly not have cleared yet.
  const pendingCount = account.product === 'current' ? rng.int(1, 3) : 0;
  const pendingFrom = drafts.length - pendingCount;
  const transactions = drafts.map((draft, index): SeedTransaction => {
    const pending = index >= pendingFrom && draft.at >= clock.asOf - 3 * dayMs;
    return {
      id: region === 'uk' ? rng.uuid() : `txn_${rng.alphanumeric(20)}`,
      accountId: account.id,
      at: draft.at,
      createdAt: pending ? draft.at : draft.at - draft.lagSeconds * 1000,
      amountMinor: fromCents(draft.cents, account.currency),
      description: draft.description,
      reference: rng.hex(12).toUpperCase(),
      pending,
    };
  });

  let bookedSum = 0;
  let bookedBeforeAnchorDay = 0;
  let pending = 0;
  for (const transaction of transactions) {
    if (transaction.pending) pending += transaction.amountMinor;
    else {
      bookedSum += transaction.amountMinor;
      if (transaction.at < clock.anchorStart) bookedBeforeAnchorDay += transaction.amountMinor;
    }
  }
  const opening = openedInWindow ? 0 : fromCents(targetBalanceCents(rng, account), account.currency) - bookedSum;
  return {
    transactions: transactions.reverse(),
    booked: opening + bookedSum,
    pending,
    closingBooked: opening + bookedBeforeAnchorDay,
  };
}

/** The booked balance an account with older history ends on: customers mostly in credit, organisations large. */
function targetBalanceCents(rng: Rng, account: SeedAccount): number {
  if (account.ownerKind === 'organisation') {
    const major = rng.pick([rng.int(20_000, 99_999), rng.int(100_000, 999_999), rng.int(1_000_000, 6_000_000)]);
    return major * 100 + rng.int(0, 99);
  }
  if (account.product !== 'current') return rng.int(100_000, 5_000_000);
  return rng.chance(0.06) ? -rng.int(500, 90_000) : rng.int(5_000, 1_500_000);
}

function timeIn(day: number, rng: Rng, fromHour: number, toHour: number): number {
  return day + rng.int(fromHour * 3600, toHour * 3600 - 1) * 1000;
}

/** Binomial stand-in for a Poisson count with the given mean (at most 2.5). */
function countFor(rng: Rng, mean: number): number {
  let count = 0;
  for (let i = 0; i < 5; i++) if (rng.chance(mean / 5)) count++;
  return count;
}

function isWeekday(day: number): boolean {
  const weekday = new Date(day).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function dayOfMonth(day: number): number {
  return new Date(day).getUTCDate();
}

function personalCurrent(rng: Rng, region: Region): DayPlan {
  const salary = rng.int(1_800, 6_500) * 100;
  const salaryDay = rng.int(25, 28);
  const employer = rng.pick(employers);
  const housing = Math.round((salary * rng.int(30, 45)) / 100);
  const housingDay = rng.int(1, 5);
  const billList = region === 'uk' ? bills.uk : bills.us;
  const monthlyBills = Array.from({ length: rng.int(2, 4) }, () => ({
    name: rng.pick(billList),
    cents: rng.int(800, 15_000),
    day: rng.int(1, 28),
  }));
  const spendPerDay = rng.int(5, 25) / 10;
  const shops = region === 'uk' ? merchants.uk : merchants.us;
  return (day, dayRng) => {
    const out: Draft[] = [];
    const dom = dayOfMonth(day);
    if (dom === salaryDay) {
      out.push({
        at: timeIn(day, dayRng, 1, 6),
        cents: salary,
        lagSeconds: 0,
        description: region === 'uk' ? `BGC ${employer} SALARY` : `ACH DEPOSIT ${employer} PAYROLL`,
      });
    }
    if (dom === housingDay) {
      out.push({
        at: timeIn(day, dayRng, 1, 6),
        cents: -housing,
        lagSeconds: 0,
        description: region === 'uk' ? 'STANDING ORDER RENT' : 'ACH DEBIT MORTGAGE PMT',
      });
    }
    for (const bill of monthlyBills) {
      if (dom !== bill.day) continue;
      out.push({
        at: timeIn(day, dayRng, 2, 8),
        cents: -bill.cents,
        lagSeconds: 0,
        description: region === 'uk' ? `DIRECT DEBIT ${bill.name.toUpperCase()}` : `ACH DEBIT ${bill.name.toUpperCase()}`,
      });
    }
    for (let i = countFor(dayRng, spendPerDay); i > 0; i--) {
      const cents = dayRng.chance(0.08) ? dayRng.int(4_000, 25_000) : dayRng.int(150, 4_000);
      const shop = dayRng.pick(shops);
      out.push({
        at: timeIn(day, dayRng, 7, 23),
        cents: -cents,
        lagSeconds: dayRng.int(0, 36 * 3600),
        description: region === 'uk' ? `CARD PAYMENT TO ${shop}` : `DEBIT CARD PURCHASE ${shop.toUpperCase()}`,
      });
    }
    if (dayRng.chance(0.03)) {
      const from = `${dayRng.pick(firstNames).charAt(0)} ${dayRng.pick(lastNames).toUpperCase()}`;
      out.push({
        at: timeIn(day, dayRng, 8, 22),
        cents: dayRng.int(2_000, 50_000),
        lagSeconds: 0,
        description: region === 'uk' ? `FASTER PAYMENT FROM ${from}` : `P2P TRANSFER FROM ${from}`,
      });
    }
    return out;
  };
}

function personalSavings(rng: Rng, region: Region): DayPlan {
  const depositDay = rng.int(1, 28);
  const deposit = rng.int(5_000, 100_000);
  return (day, dayRng) => {
    const out: Draft[] = [];
    const dom = dayOfMonth(day);
    if (dom === depositDay) {
      out.push({
        at: timeIn(day, dayRng, 6, 10),
        cents: deposit,
        lagSeconds: 0,
        description: region === 'uk' ? 'TRANSFER FROM CURRENT ACCOUNT' : 'ONLINE TRANSFER FROM CHK',
      });
    }
    if (dom === 1) {
      out.push({
        at: timeIn(day, dayRng, 0, 3),
        cents: dayRng.int(50, 2_500),
        lagSeconds: 0,
        description: region === 'uk' ? 'INTEREST PAID' : 'INTEREST PAYMENT',
      });
    }
    if (dayRng.chance(0.01)) {
      out.push({
        at: timeIn(day, dayRng, 8, 20),
        cents: -dayRng.int(5_000, 80_000),
        lagSeconds: 0,
        description: region === 'uk' ? 'TRANSFER TO CURRENT ACCOUNT' : 'ONLINE TRANSFER TO CHK',
      });
    }
    return out;
  };
}

function corporateOperating(rng: Rng, region: Region): DayPlan {
  const receiptsPerDay = rng.int(12, 25) / 10;
  const paymentsPerDay = rng.int(8, 20) / 10;
  const payroll = rng.chance(0.5) ? rng.int(5_000_000, 40_000_000) : 0;
  const payrollDay = rng.int(25, 28);
  const taxDay = rng.int(19, 22);
  return (day, dayRng) => {
    const out: Draft[] = [];
    const dom = dayOfMonth(day);
    if (dom === 1) {
      out.push({
        at: timeIn(day, dayRng, 0, 4),
        cents: -dayRng.int(2_500, 25_000),
        lagSeconds: 0,
        description: region === 'uk' ? 'ACCOUNT FEES' : 'MONTHLY SERVICE FEE',
      });
    }
    if (!isWeekday(day)) return out;
    for (let i = countFor(dayRng, receiptsPerDay); i > 0; i--) {
      const client = dayRng.pick(clients).toUpperCase();
      out.push({
        at: timeIn(day, dayRng, 7, 18),
        cents: dayRng.int(50_000, 5_000_000),
        lagSeconds: dayRng.int(0, 600),
        description: `${region === 'uk' ? 'FASTER PAYMENT RECEIVED' : 'ACH CREDIT'} ${client} INV ${dayRng.digits(6)}`,
      });
    }
    for (let i = countFor(dayRng, paymentsPerDay); i > 0; i--) {
      const supplier = dayRng.pick(suppliers).toUpperCase();
      out.push({
        at: timeIn(day, dayRng, 7, 18),
        cents: -dayRng.int(20_000, 3_000_000),
        lagSeconds: dayRng.int(0, 600),
        description: `${region === 'uk' ? 'BACS PAYMENT' : 'ACH DEBIT'} ${supplier}`,
      });
    }
    if (payroll > 0 && dom === payrollDay) {
      out.push({
        at: timeIn(day, dayRng, 5, 8),
        cents: -payroll,
        lagSeconds: 0,
        description: region === 'uk' ? 'BACS PAYROLL RUN' : 'ACH PAYROLL BATCH',
      });
    }
    if (dom === taxDay && dayRng.chance(0.5)) {
      out.push({
        at: timeIn(day, dayRng, 9, 15),
        cents: -dayRng.int(1_000_000, 10_000_000),
        lagSeconds: 0,
        description: region === 'uk' ? 'VAT PAYMENT' : 'FEDERAL TAX PAYMENT',
      });
    }
    return out;
  };
}

function corporateReserve(rng: Rng, region: Region): DayPlan {
  const sweepChance = rng.int(4, 8) / 10;
  return (day, dayRng) => {
    const out: Draft[] = [];
    if (dayOfMonth(day) === 1) {
      out.push({
        at: timeIn(day, dayRng, 0, 4),
        cents: dayRng.int(10_000, 500_000),
        lagSeconds: 0,
        description: region === 'uk' ? 'INTEREST PAID' : 'INTEREST PAYMENT',
      });
    }
    if (new Date(day).getUTCDay() === 1 && dayRng.chance(sweepChance)) {
      const inward = dayRng.chance(0.5);
      out.push({
        at: timeIn(day, dayRng, 6, 9),
        cents: (inward ? 1 : -1) * dayRng.int(1_000_000, 50_000_000),
        lagSeconds: 0,
        description: inward ? 'SWEEP FROM OPERATING' : 'SWEEP TO OPERATING',
      });
    }
    return out;
  };
}
