// What the audit trail and tracing cost together (issue 15): CustomerOverview through the whole topology with every
// service writing its signed, hash-chained day files (AUDIT_SINK=file, fsync per batch) and tracing to an OTLP/HTTP
// collector (TRACING_OTLP_ENDPOINT), against both off (AUDIT_SINK=off, development only: no facts gathered, no record
// made), alternated over rounds (onOff.ts). With `--only tracing` or `--only audit`, just that one is switched and the
// other stays off. The collector is a stand-in in this process that reads each export and answers 200, so the cost
// measured is the services' (spans, propagation, batching, serialising, sending), not a real collector's.
//
// Usage: npm run bench:observability [-- --duration 15 --connections 50 --rounds 2 --warmup 5 --only tracing|audit]
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareOnOff } from './onOff.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const only = values.only;
if (only !== undefined && only !== 'tracing' && only !== 'audit') throw new Error('--only takes tracing or audit');
const auditDirectory = mkdtempSync(join(tmpdir(), 'fingraph-bench-audit-'));

let exports = 0;
let bytes = 0;
const collector = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    exports += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;

await compareOnOff({
  concern: only ?? 'audit + tracing',
  envFor: (mode) => {
    const tracing = mode === 'on' && only !== 'audit';
    const audit = mode === 'on' && only !== 'tracing';
    return {
      // Off is blank, not absent: a TRACING_OTLP_ENDPOINT in the environment this runs in must not turn it on.
      TRACING_OTLP_ENDPOINT: tracing ? endpoint : '',
      AUDIT_SINK: audit ? 'file' : 'off',
      // Each stack's own folder: never the repository's .audit/, and never two runs on one stream.
      AUDIT_DIRECTORY: mkdtempSync(join(auditDirectory, 'run-')),
    };
  },
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  connections: Number(values.connections),
  rounds: Number(values.rounds),
});
process.stdout.write(`\nThe collector received ${exports} exports, ${(bytes / 1024 / 1024).toFixed(1)} MiB in all.\n`);
collector.close();
