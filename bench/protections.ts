// What the gateway's edge protections cost (issue 14): CustomerOverview through the whole topology with every
// protection on (shape limits, demand control, rate limits charging the estimate, trusted documents in their
// development mode) and with them off (GATEWAY_PROTECTIONS=off, development only), alternated over rounds in one run so
// that drift on the machine falls on both. No simulated upstream latency: the gateway's own work is what is compared.
//
// Usage: npm run bench:protections [-- --duration 15 --connections 50 --rounds 2 --warmup 5]
import { parseArgs } from 'node:util';
import { compareArgs, compareModes, compareOptions } from './compareModes.js';

const { values } = parseArgs({ options: compareArgs });
await compareModes(
  'protections',
  [
    { name: 'on', env: { GATEWAY_PROTECTIONS: 'on' } },
    { name: 'off', env: { GATEWAY_PROTECTIONS: 'off' } },
  ],
  compareOptions(values),
);
