// The ECB connector's parser reads the real daily file's shape and keeps rates as exact strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEcbDaily } from '../../../subgraphs/accounts/connectors/ecbRates.js';

const sample = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
	<Cube>
		<Cube time='2026-11-20'>
			<Cube currency='USD' rate='1.0870'/>
			<Cube currency='JPY' rate='161.95'/>
			<Cube currency='GBP' rate='0.84120'/>
		</Cube>
	</Cube>
</gesmes:Envelope>`;

describe('ECB daily rates', () => {
  it('parses the publication day and each rate as written', () => {
    const rates = parseEcbDaily(sample);
    assert.ok(rates);
    assert.equal(rates.base, 'EUR');
    assert.equal(rates.publishedOn, '2026-11-20');
    // Trailing zeros survive: the string is never parsed as a float.
    assert.equal(rates.perBase.get('USD' as never), '1.0870');
    assert.equal(rates.perBase.get('GBP' as never), '0.84120');
    assert.equal(rates.perBase.size, 3);
  });

  it('returns nothing for a document that is not the ECB file', () => {
    assert.equal(parseEcbDaily('<html><body>maintenance</body></html>'), undefined);
  });
});
