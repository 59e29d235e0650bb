// Each seeded customer's consumer file at the bureau, generated from the seed alone (sandbox/seed/prng.ts): the same
// seed and customer give the same score, tradelines and past inquiries on every machine. Amounts are whole dollars, as
// the bureau reports them; dates are MMDDYYYY.
import { Rng } from '../seed/prng.js';
import { type Clock, dayMs } from '../seed/time.js';
import type { SeedCustomer } from '../seed/types.js';
import { accountTypes, creditors, inquirers, reasonCodes, tradelineStatuses } from './codes.js';

export interface FileTradeline {
  readonly subscriberName: string;
  readonly subscriberCode: string;
  readonly accountType: string;
  readonly openDate: string;
  readonly balanceDate: string;
  /** Whole dollars, zero-padded to eight digits. */
  readonly balanceAmount: string;
  readonly status: string;
  readonly openOrClosed: 'O' | 'C';
}

export interface FileInquiry {
  readonly date: string;
  readonly subscriberName: string;
  readonly subscriberCode: string;
  /** H: a hard inquiry, which lenders see. S: a soft one, shown only to the consumer. */
  readonly type: 'H' | 'S';
}

export interface ConsumerFile {
  /** The consumer's underlying standing on 300–850, from which each model's score is derived. */
  readonly baseScore: number;
  /** Reason codes, most important first. */
  readonly reasons: readonly string[];
  readonly tradelines: readonly FileTradeline[];
  readonly inquiries: readonly FileInquiry[];
}

/** MMDDYYYY in UTC. */
export function bureauDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(0, 4)}`;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Fisher–Yates on the seeded stream, so the order does not depend on the engine's sort. */
function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function buildConsumerFile(seed: string, clock: Clock, customer: SeedCustomer): ConsumerFile {
  const rng = new Rng(`${seed}|bureau|${customer.tenant}|${customer.id}`);
  const baseScore = rng.int(520, 830);
  const reasons = shuffled(rng, reasonCodes).slice(0, 4);
  const tradelines = Array.from({ length: rng.int(2, 6) }, (): FileTradeline => {
    const opened = clock.asOf - rng.int(120, 3650) * dayMs;
    const status = rng.pick(tradelineStatuses);
    return {
      subscriberName: rng.pick(creditors),
      subscriberCode: rng.digits(7),
      accountType: rng.pick(accountTypes),
      openDate: bureauDate(opened),
      balanceDate: bureauDate(clock.asOf - rng.int(1, 30) * dayMs),
      balanceAmount: pad(status === '12' ? 0 : rng.int(0, 250_000), 8),
      status,
      openOrClosed: status === '12' ? 'C' : 'O',
    };
  });
  const inquiries = Array.from(
    { length: rng.int(0, 2) },
    (): FileInquiry => ({
      date: bureauDate(clock.asOf - rng.int(20, 700) * dayMs),
      subscriberName: rng.pick(inquirers),
      subscriberCode: rng.digits(7),
      type: 'H',
    }),
  );
  return { baseScore, reasons, tradelines, inquiries };
}

/** A model's score for the file: VantageScore reads the same file a little differently from FICO. */
export function scoreFor(file: ConsumerFile, model: 'F9' | 'V4'): number {
  const score = model === 'F9' ? file.baseScore : file.baseScore + ((file.baseScore % 7) - 3) * 4;
  return Math.min(850, Math.max(300, score));
}
