// Connector for the ECB's daily euro foreign exchange reference rates (eurofxref-daily.xml, EUR base).
import { XMLParser } from 'fast-xml-parser';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { type CurrencyCode, parseCurrencyCode, type ReferenceRates } from '../../../lib/money/index.js';

const EUR = 'EUR' as CurrencyCode;
const decimal = /^\d+(\.\d+)?$/;

// Rates stay strings: parsing them as numbers would put a float between the publisher and our decimal arithmetic.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, removeNSPrefix: true });

type Node = Record<string, unknown>;
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

export function parseEcbDaily(xml: string): ReferenceRates | undefined {
  const document: unknown = parser.parse(xml);
  if (!isNode(document) || !isNode(document.Envelope) || !isNode(document.Envelope.Cube)) return undefined;
  const day = asArray(document.Envelope.Cube.Cube)[0];
  if (!isNode(day) || typeof day.time !== 'string') return undefined;
  const perBase = new Map<CurrencyCode, string>();
  for (const entry of asArray(day.Cube)) {
    if (!isNode(entry) || typeof entry.currency !== 'string' || typeof entry.rate !== 'string') return undefined;
    const code = parseCurrencyCode(entry.currency);
    if (code && decimal.test(entry.rate)) perBase.set(code, entry.rate);
  }
  return { base: EUR, publishedOn: day.time, perBase };
}

export class EcbRatesConnector {
  constructor(private readonly client: UpstreamClient) {}

  async daily(): Promise<ReferenceRates> {
    const response = await this.client.get({ path: 'eurofxref-daily.xml', headers: { accept: 'application/xml, text/xml' } });
    if (response.status !== 200) throw this.client.unusable({ status: response.status });
    const rates = parseEcbDaily(response.body);
    if (!rates) throw this.client.unusable({ status: response.status });
    return rates;
  }
}
