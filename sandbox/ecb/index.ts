// The ECB euro foreign exchange reference rates (/fx/ecb): the daily gesmes XML file, byte-compatible with
// https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml. No authentication, as at the ECB.
import type { Provider, SandboxResponse } from '../http/types.js';
import type { Clock } from '../seed/time.js';
import { euroRates, lastBusinessDay } from './rates.js';

export const ecbBasePath = '/fx/ecb';

export function dailyRatesXml(day: string): string {
  const cubes = euroRates.map(([currency, rate]) => `\t\t\t<Cube currency='${currency}' rate='${rate}'/>\n`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n' +
    '\t<gesmes:subject>Reference rates</gesmes:subject>\n' +
    '\t<gesmes:Sender>\n' +
    '\t\t<gesmes:name>European Central Bank</gesmes:name>\n' +
    '\t</gesmes:Sender>\n' +
    '\t<Cube>\n' +
    `\t\t<Cube time='${day}'>\n` +
    cubes +
    '\t\t</Cube>\n' +
    '\t</Cube>\n' +
    '</gesmes:Envelope>\n'
  );
}

const text = (status: number, body: string): SandboxResponse => ({ status, body, contentType: 'text/plain; charset=utf-8' });

export function createEcbProvider(clock: Clock): Provider {
  const xml = dailyRatesXml(lastBusinessDay(clock.anchor));
  return {
    id: 'ecb',
    basePath: ecbBasePath,
    routes: [{ method: 'GET', template: '/eurofxref-daily.xml', handle: () => ({ status: 200, body: xml, contentType: 'text/xml' }) }],
    failure(kind) {
      if (kind === 'unavailable') return text(503, 'Service Unavailable');
      if (kind === 'internal') return text(500, 'Internal Server Error');
      return text(404, 'Not Found');
    },
  };
}
