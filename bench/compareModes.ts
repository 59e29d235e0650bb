// One benchmark shape, shared by the on/off comparisons (protections, observability): CustomerOverview through the
// whole topology in each mode, the modes alternated over rounds in one run so drift on the machine falls on all of
// them, one probe per stack first (an error answer is a 200 to autocannon), then medians per mode.
import autocannon from 'autocannon';
import { customerOverview } from './scenarios.js';
import { type BenchStack, startBenchStack } from './stack.js';

export interface CompareOptions {
  readonly duration: number;
  readonly connections: number;
  readonly rounds: number;
  readonly warmup: number;
}

/** A mode: its name in the table, the environment its stack starts with, and what to do around the measured run. */
export interface Mode {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called after the measured run, before the stack stops: a line to print about what the mode produced. */
  readonly after?: (stack: BenchStack) => Promise<string | undefined>;
}

interface Measured {
  readonly mode: string;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

async function firstCustomerId(stack: BenchStack): Promise<string> {
  const listing = (await (
    await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token('support')}` },
      body: JSON.stringify({ query: '{ customers(first: 1) { edges { node { id } } } }' }),
    })
  ).json()) as { data?: { customers: { edges: Array<{ node: { id: string } }> } } };
  const id = listing.data?.customers.edges[0]?.node.id;
  if (!id) throw new Error('the sandbox tenant has no customers');
  return id;
}

async function measure(mode: Mode, round: number, options: CompareOptions): Promise<Measured> {
  const stack = await startBenchStack({ SANDBOX_LATENCY: 'none', ...mode.env });
  try {
    const scenario = customerOverview(await firstCustomerId(stack));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${stack.token(scenario.role)}` };
    const body = JSON.stringify(scenario.request);
    const probe = (await (await fetch(stack.gatewayUrl, { method: 'POST', headers, body })).json()) as { errors?: unknown[] };
    if (probe.errors?.length) throw new Error(`CustomerOverview (${mode.name}) answers errors: ${JSON.stringify(probe.errors)}`);
    const load = { url: stack.gatewayUrl, method: 'POST' as const, headers, body, connections: options.connections };
    await autocannon({ ...load, duration: options.warmup });
    const result = await autocannon({ ...load, duration: options.duration });
    const measured = {
      mode: mode.name,
      round,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
    };
    process.stderr.write(
      `round ${round}, ${mode.name}: ${measured.requestsPerSecond} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms\n`,
    );
    const note = await mode.after?.(stack);
    if (note) process.stderr.write(`round ${round}, ${mode.name}: ${note}\n`);
    return measured;
  } finally {
    await stack.stop();
  }
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs every mode once per round, rotating which goes first, and prints a Markdown table with a median row per mode. */
export async function compareModes(title: string, modes: readonly Mode[], options: CompareOptions): Promise<void> {
  const runs: Measured[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const shift = (round - 1) % modes.length;
    for (const mode of [...modes.slice(shift), ...modes.slice(0, shift)]) runs.push(await measure(mode, round, options));
  }
  const { duration, warmup, connections, rounds } = options;
  process.stdout.write(
    `\nCustomerOverview, ${duration} s per run after ${warmup} s warm-up, ${connections} connections, ${rounds} rounds, no upstream latency\n\n`,
  );
  process.stdout.write(`| ${title} | round | req/s (mean) | p50 ms | p99 ms | failed |\n|---|---|---|---|---|---|\n`);
  for (const run of runs) {
    process.stdout.write(
      `| ${run.mode} | ${run.round} | ${run.requestsPerSecond.toFixed(0)} | ${run.p50} | ${run.p99} | ${run.failed} |\n`,
    );
  }
  for (const mode of modes) {
    const mine = runs.filter((run) => run.mode === mode.name);
    process.stdout.write(
      `| ${mode.name} | median | ${median(mine.map((run) => run.requestsPerSecond)).toFixed(0)} | ${median(mine.map((run) => run.p50))} | ${median(mine.map((run) => run.p99))} | |\n`,
    );
  }
}

/** The options every comparison takes: `--duration 15 --connections 50 --rounds 2 --warmup 5`. */
export const compareArgs = {
  duration: { type: 'string', default: '15' },
  connections: { type: 'string', default: '50' },
  rounds: { type: 'string', default: '2' },
  warmup: { type: 'string', default: '5' },
} as const;

export function compareOptions(values: { duration: string; connections: string; rounds: string; warmup: string }): CompareOptions {
  return {
    duration: Number(values.duration),
    connections: Number(values.connections),
    rounds: Number(values.rounds),
    warmup: Number(values.warmup),
  };
}
