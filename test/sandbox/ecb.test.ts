// The ECB daily reference-rate file: exact gesmes layout, rates for every currency in use, the right business day.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { lastBusinessDay } from '../../sandbox/ecb/rates.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { call } from './helpers.js';

interface RateCube {
  currency: string;
  rate: string;
}
interface EcbFile {
  'gesmes:Envelope': { Cube: { Cube: { time: string; Cube: RateCube[] } } };
}

describe('ECB reference rates', () => {
  let sandbox: Sandbox;
  // A Sunday: the file must carry Friday's rates.
  const anchorDate = '2026-11-22';

  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate, latency: 'none' });
  });
  after(() => sandbox.close());

  it('serves the daily file as text/xml in the ECB layout, dated the last business day', async () => {
    const result = await call<string>(`${sandbox.url}/fx/ecb/eurofxref-daily.xml`);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('content-type'), 'text/xml');
    const lines = result.text.split('\n');
    assert.deepEqual(lines.slice(0, 8), [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">',
      '\t<gesmes:subject>Reference rates</gesmes:subject>',
      '\t<gesmes:Sender>',
      '\t\t<gesmes:name>European Central Bank</gesmes:name>',
      '\t</gesmes:Sender>',
      '\t<Cube>',
      "\t\t<Cube time='2026-11-20'>",
    ]);
    assert.match(result.text, /\n\t\t\t<Cube currency='USD' rate='\d+\.\d{4}'\/>\n/);
  });

  it('has a positive rate for every currency connectors and seeded accounts need', async () => {
    const result = await call<string>(`${sandbox.url}/fx/ecb/eurofxref-daily.xml`);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(result.text) as EcbFile;
    const day = parsed['gesmes:Envelope'].Cube.Cube;
    assert.equal(day.time, '2026-11-20');
    const rates = new Map(day.Cube.map((cube) => [cube.currency, Number(cube.rate)]));
    for (const currency of ['USD', 'JPY', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CAD', 'AUD']) {
      const rate = rates.get(currency);
      assert.ok(rate !== undefined && rate > 0, currency);
    }
    assert.ok(!rates.has('EUR'), 'EUR is the base, not a rate');
    assert.ok((rates.get('JPY') ?? 0) > 100 && (rates.get('GBP') ?? 2) < 1, 'rates are realistic');
  });

  it('skips weekends and TARGET holidays when choosing the day', () => {
    assert.equal(lastBusinessDay('2026-11-24'), '2026-11-24');
    assert.equal(lastBusinessDay('2026-11-22'), '2026-11-20');
    assert.equal(lastBusinessDay('2026-12-27'), '2026-12-24');
    assert.equal(lastBusinessDay('2027-01-01'), '2026-12-31');
    assert.equal(lastBusinessDay('2026-04-06'), '2026-04-02', 'Easter Monday and Good Friday 2026');
  });
});
