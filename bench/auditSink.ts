// What one audit record costs the process that writes it (issue 15), without the noise of a whole stack: N records
// of the gateway's shape chained alone (the baseline: schema check and SHA-256), then chained and written to day
// files with signed checkpoints (batched, one fsync per batch), all appended at once as a burst of requests would.
// CPU time is this process's own (process.cpuUsage), wall time includes the fsyncs.
//
// Usage: npm run build && node dist/bench/auditSink.js [-- --records 20000]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditChain, type AuditEvent, FileAuditSink } from '../lib/audit/index.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' } } });
const records = Number(values.records);

const event = (index: number): AuditEvent => ({
  type: 'api.call',
  action: 'query',
  personalData: true,
  at: new Date(Date.UTC(2026, 11, 6, 6, 0, 0, index % 1000)).toISOString(),
  outcome: 'success',
  failureCode: null,
  sub: `user_${index % 50}`,
  tenant: 'acme',
  clientIp: '203.0.113.7',
  userAgent: 'fingraph-bench/1.0',
  resource: `customer:cus_${index % 500}`,
  otherResources: [],
  operationName: 'CustomerOverview',
  documentHash: 'a'.repeat(64),
  fieldsServed: ['Query.customer', 'Customer.displayName', 'Customer.email', 'Customer.accounts', 'Customer.creditReport'],
  fieldsRefused: [],
  requestId: `req_${index}`,
  traceId: '0af7651916cd43dd8448eb211c80319c',
});

async function measure(name: string, run: () => Promise<void>) {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMicros = (used.user + used.system) / records;
  process.stdout.write(`| ${name} | ${records} | ${(records / (wallMs / 1000)).toFixed(0)} | ${cpuMicros.toFixed(1)} |\n`);
}

process.stdout.write('| path | records | records/s (wall) | CPU µs/record |\n|---|---|---|---|\n');
for (let round = 1; round <= 2; round += 1) {
  await measure(`chain only (round ${round})`, async () => {
    const chain = new AuditChain('bench');
    for (let index = 0; index < records; index += 1) chain.link(event(index));
  });
  await measure(`chain + day file + checkpoints (round ${round})`, async () => {
    const sink = await FileAuditSink.open({
      directory: mkdtempSync(join(tmpdir(), 'fingraph-bench-audit-')),
      stream: 'bench',
      maxQueuedRecords: records,
      checkpoints: { signingKey: generateKeyPairSync('ed25519').privateKey, keyId: 'bench' },
    });
    const written: Array<Promise<unknown>> = [];
    for (let index = 0; index < records; index += 1) written.push(sink.append(event(index)));
    await Promise.all(written);
    await sink.close();
  });
}
