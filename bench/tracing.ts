// What tracing costs (issue 15): CustomerOverview through the whole topology with every service tracing to an
// OTLP/HTTP collector (TRACING_OTLP_ENDPOINT) and with tracing off, alternated over rounds (onOff.ts). The collector is
// a stand-in in this process that reads each export and answers 200, so the cost measured is the services' (spans,
// propagation, batching, serialising, sending), not a real collector's.
//
// Usage: npm run bench:tracing [-- --duration 15 --connections 50 --rounds 2 --warmup 5]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { compareOnOff } from './onOff.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '5' },
  },
});

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
  concern: 'tracing',
  // Off is blank, not absent: a TRACING_OTLP_ENDPOINT in the environment this runs in must not turn it on.
  envFor: (mode) => ({ TRACING_OTLP_ENDPOINT: mode === 'on' ? endpoint : '' }),
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  connections: Number(values.connections),
  rounds: Number(values.rounds),
});
process.stdout.write(`\nThe collector received ${exports} exports, ${(bytes / 1024 / 1024).toFixed(1)} MiB in all.\n`);
collector.close();
