// Nothing FinGraph writes holds a seeded person's personal data (issue 15): every contract operation, refusals and
// a payment made through the whole stack with tracing on, then one scan over all it produced: every log line, every
// audit record and checkpoint of every stream, and every span (names, attributes, events, links, status). The scan is
// only worth something if the data went through: the answers are checked to hold some of the same values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { auditCheckpointFiles, auditFiles } from '../../lib/audit/fileSink.js';
import { startTracing, type Tracing } from '../../lib/telemetry/index.js';
import { type ContractCustomer, contractCustomer, contractOperation, contractRequests } from '../support/contract.js';
import { findPersonalData, seededPersonalData } from '../support/personalData.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

const STREAMS = ['gateway', 'identity', 'payments', 'credit'] as const;

/** A span as text: everything an exporter would send of it. */
function spanText(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    links: span.links.map((link) => link.attributes),
    status: span.status,
    resource: span.resource.attributes,
  });
}

describe('no personal data in logs, audit records or spans', () => {
  let stack: Stack;
  let tracing: Tracing;
  let customer: ContractCustomer;
  const exporter = new InMemorySpanExporter();
  const answers: GraphQLResponse[] = [];

  before(async () => {
    tracing = startTracing({ service: 'test', exporter });
    stack = await startStack();
    customer = await contractCustomer(stack);
    // Cold caches: every read goes to its upstream, so the upstreams' answers pass through every layer that logs.
    await stack.resetCache();
    for (const request of Object.values(contractRequests({ ...customer, idempotencyKey: `pii-scan-${Date.now()}` }))) {
      answers.push(await stack.graphql(request.query, { token: request.token, variables: request.variables }));
    }
    // Refusals log and audit too: no token, a role without the personal-data scopes, and bad input.
    answers.push(await stack.graphql(contractOperation('CustomerPII'), { variables: { id: customer.id } }));
    answers.push(
      await stack.graphql(contractOperation('CustomerPII'), {
        token: tokenFor({ role: 'support', tenant: 'acme' }),
        variables: { id: customer.id },
      }),
    );
    answers.push(
      await stack.graphql(contractOperation('CashPosition'), {
        token: tokenFor({ role: 'cfo', tenant: 'acme' }),
        variables: { currency: 'XXX' },
      }),
    );
    await stack.flushAudit();
  });
  after(async () => {
    await tracing.shutdown();
    await stack.close();
  });

  it('served the personal data it then looks for', () => {
    const served = JSON.stringify(answers.map((answer) => answer.body));
    const needles = seededPersonalData({ ids: false });
    const present = needles.filter((needle) => served.includes(needle));
    // A name, an email, a tax id, a birth date, account numbers: the scan below looks for values that really went by.
    assert.ok(present.length >= 5, `the answers hold ${present.length} of the seeded values`);
    assert.ok(answers.some((answer) => answer.body.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')));
    assert.ok(answers.some((answer) => answer.body.errors?.some((error) => error.extensions?.code === 'FORBIDDEN')));
  });

  it('has the word-by-word scan every stack runs at close find a value alone, inside a sentence, or split over words', () => {
    const needles = seededPersonalData({ ids: false });
    const name = needles.find((value) => value.includes(' ')) as string;
    const taxId = needles.find((value) => /^\d{3}-\d{2}-\d{4}$/.test(value)) as string;
    const birth = needles.find((value) => /^\d{4}-\d{2}-\d{2}$/.test(value)) as string;
    assert.ok(name && taxId && birth, 'the seed has names, SSNs and birth dates');
    assert.equal(findPersonalData([JSON.stringify({ msg: 'request', path: '/graphql' })]), undefined);
    assert.equal(findPersonalData([JSON.stringify({ msg: `hello ${name}` })]), name);
    assert.equal(findPersonalData(['{"a":1}', JSON.stringify({ ssn: taxId })]), taxId);
    assert.equal(findPersonalData([`born ${birth}.`]), birth);
    assert.equal(findPersonalData([`${birth.slice(0, 7)}`]), undefined, 'a part of a value is not the value');
  });

  it('writes none of it in a log line', () => {
    assert.ok(stack.rawLogs.length > 20, `${stack.rawLogs.length} log lines`);
    const needles = seededPersonalData({ ids: false });
    for (const line of stack.rawLogs) {
      const found = needles.find((needle) => line.includes(needle));
      assert.equal(found, undefined, `a log line holds personal data: ${line}`);
    }
  });

  it('writes none of it in an audit record or checkpoint, of any stream', async () => {
    const needles = seededPersonalData({ ids: false });
    let records = 0;
    for (const stream of STREAMS) {
      const files = [...(await auditFiles(stack.auditDirectory, stream)), ...(await auditCheckpointFiles(stack.auditDirectory, stream))];
      for (const file of files) {
        const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
        records += lines.length;
        for (const line of lines) {
          const found = needles.find((needle) => line.includes(needle));
          assert.equal(found, undefined, `${stream}'s trail holds personal data: ${line}`);
        }
      }
    }
    assert.ok(records >= answers.length, `${records} audit lines for ${answers.length} requests`);
  });

  it('records none of it, nor any customer or account id, in a span', () => {
    const spans = exporter.getFinishedSpans();
    assert.ok(spans.length > 50, `${spans.length} spans`);
    const needles = seededPersonalData({ ids: true });
    for (const span of spans) {
      const text = spanText(span);
      const found = needles.find((needle) => text.includes(needle));
      assert.equal(found, undefined, `a span holds personal data: ${text}`);
    }
  });

  it('gives every gateway audit record of a traced request the trace id its answer carries', async () => {
    const traced = answers.map((answer) => answer.body.extensions?.traceId).filter((id): id is string => typeof id === 'string');
    assert.ok(traced.length >= answers.length - 2, `${traced.length} answers carry a trace id`);
    const recorded = new Set((await stack.auditRecords('gateway')).map((record) => record.traceId));
    for (const traceId of traced) assert.ok(recorded.has(traceId), `a gateway record has trace ${traceId}`);
  });
});
