// What the gateway's edge protections cost (issue 14): CustomerOverview through the whole topology with every
// protection on (shape limits, demand control, rate limits charging the estimate, trusted documents in their
// development mode) and with them off (GATEWAY_PROTECTIONS=off, development only), alternated over rounds (onOff.ts).
//
// Usage: npm run bench:protections [-- --duration 15 --connections 50 --rounds 2 --warmup 5]
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

await compareOnOff({
  concern: 'protections',
  envFor: (mode) => ({ GATEWAY_PROTECTIONS: mode }),
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  connections: Number(values.connections),
  rounds: Number(values.rounds),
});
