// The gateway's audit facts on the committed supergraph: which scoped fields an operation selects (with @skip), which
// are personal data or regulated, the resource it names by id, and the refusal before anything runs while the sink
// has no room: regulated operations only by default, every operation with refuse-all. And the record the request's end
// builds: the client's address through trusted proxies, a user agent cut to its bound, the failure code it is given.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { GraphQLRequestListener } from '@apollo/server';
import { type DocumentNode, parse } from 'graphql';
import type { GatewayContext } from '../../../gateway/context.js';
import { createGatewayAudit, createRequestAuditFacts, type RequestAuditFacts } from '../../../gateway/plugins/audit/index.js';
import { operationResource, operationResources } from '../../../gateway/plugins/audit/resource.js';
import { operationIn, scopedFields } from '../../../gateway/plugins/audit/scopes.js';
import { prepareSupergraph } from '../../../gateway/supergraph.js';
import type { AuditSink } from '../../../lib/audit/sink.js';
import { FinGraphError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { SUPERGRAPH_PATH } from '../../../schema/compose.js';
import { openFullAuditSink, openTestAuditSink } from '../../support/auditSink.js';
import { contractOperation } from '../../support/contract.js';

const { apiSchema: schema, rules } = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const principal = { sub: 'cus_1', tenant: 'acme', customerId: 'cus_1', scopes: [], amr: [] };

function scoped(text: string, variables: Record<string, unknown> = {}) {
  const document = parse(text);
  return scopedFields(schema, rules, document, operationIn(document, undefined) as NonNullable<ReturnType<typeof operationIn>>, variables);
}

describe('gateway audit facts', () => {
  it('lists the scoped fields an operation selects, and whether they are personal data or regulated', () => {
    const pii = scoped(contractOperation('CustomerPII'));
    for (const coordinate of ['Query.customer', 'Customer.taxId', 'Customer.dateOfBirth', 'Customer.address', 'Account.accountNumber'])
      assert.ok(pii.coordinates.has(coordinate), coordinate);
    assert.deepEqual([pii.personalData, pii.regulated], [true, true]);
    const cash = scoped(contractOperation('CashPosition'));
    assert.ok(cash.coordinates.has('Query.cashPosition'));
    assert.deepEqual([cash.personalData, cash.regulated], [false, false]);
    const payment = scoped(contractOperation('InitiatePayment'));
    assert.deepEqual([payment.personalData, payment.regulated], [false, true]);
    const open = scoped('{ institutions { id name } __typename }');
    assert.deepEqual([[...open.coordinates], open.personalData, open.regulated], [[], false, false]);
  });

  it("leaves out what @skip or @include drop, and the document's other operations", () => {
    const text =
      'query A($s: Boolean!) { customer(id: "c") { id taxId @skip(if: $s) } } query B { cashPosition(reportingCurrency: USD) { complete } }';
    assert.ok(!scoped(text, { s: true }).coordinates.has('Customer.taxId'));
    assert.ok(scoped(text, { s: false }).coordinates.has('Customer.taxId'));
    assert.ok(!scoped(text, { s: false }).coordinates.has('Query.cashPosition'));
  });

  it('names the resource by id from arguments or variables, the principal, or the tenant, and nothing else', () => {
    const resource = (text: string, variables: Record<string, unknown> = {}) =>
      operationResource(operationIn(parse(text), undefined) as NonNullable<ReturnType<typeof operationIn>>, variables, principal);
    assert.equal(resource('query ($id: ID!) { customer(id: $id) { id } }', { id: 'cus_9' }), 'customer:cus_9');
    assert.equal(resource('{ me { id } }'), 'customer:cus_1');
    assert.equal(resource('{ customers(first: 1) { edges { cursor } } }'), 'tenant:acme');
    assert.equal(resource('mutation { cancelPayment(id: "pay_1") { payment { id } } }'), 'payment:pay_1');
    assert.equal(
      resource('mutation ($input: InitiatePaymentInput!) { initiatePayment(input: $input) { payment { id } } }', {
        input: { sourceAccountId: 'acc_1' },
      }),
      'account:acc_1',
    );
    assert.equal(resource('{ institutions { id } }'), null);
    assert.equal(resource('{ customer(id: "not an id; DROP") { id } }'), null, 'a value that is not an identifier never reaches the trail');
    assert.equal(resource('{ constructor }'), null);
    // Aliases cannot hide a resource behind a decoy: every one named is kept, the first first.
    assert.deepEqual(
      operationResources(
        operationIn(
          parse('{ a: customer(id: "cus_8") { id } b: customer(id: "cus_9") { id } c: customer(id: "cus_8") { id } }'),
          undefined,
        ) as NonNullable<ReturnType<typeof operationIn>>,
        {},
        principal,
      ),
      ['customer:cus_8', 'customer:cus_9'],
    );
  });

  /** Runs the plugin's didResolveOperation on a parsed operation, as Apollo Server would after authorisation. */
  async function resolve(
    whenFull: 'refuse-regulated' | 'refuse-all',
    text: string,
    variables: Record<string, unknown> = {},
    given: { sink?: AuditSink; facts?: RequestAuditFacts } = {},
  ): Promise<RequestAuditFacts> {
    const audit = createGatewayAudit({
      sink: given.sink ?? (await openFullAuditSink()),
      rules,
      whenFull,
      trustedProxyHops: 0,
      logger: createLogger('test', { level: 'silent' }),
    });
    const facts = given.facts ?? createRequestAuditFacts();
    const contextValue: GatewayContext = { principal, requestId: 'req-unit-0001', audit: facts };
    const document: DocumentNode = parse(text);
    const request = { query: text, variables };
    const started = { request, contextValue } as unknown as Parameters<NonNullable<typeof audit.plugin.requestDidStart>>[0];
    const listener = (await audit.plugin.requestDidStart?.(started)) as GraphQLRequestListener<GatewayContext>;
    const resolved = { request, contextValue, document, schema, operation: operationIn(document, undefined), operationName: null };
    await listener.didResolveOperation?.(resolved as unknown as Parameters<NonNullable<typeof listener.didResolveOperation>>[0]);
    return facts;
  }
  const refusedForAudit = (error: unknown) =>
    error instanceof FinGraphError && error.code === 'UPSTREAM_UNAVAILABLE' && error.extensions.reason === 'AUDIT_UNAVAILABLE';

  it('refuses a regulated operation while the sink has no room, and lets a public one run unless refuse-all', async () => {
    await assert.rejects(resolve('refuse-regulated', contractOperation('CustomerPII'), { id: 'cus_1' }), refusedForAudit);
    const facts = await resolve('refuse-regulated', '{ institutions { id } }');
    assert.deepEqual([facts.action, facts.personalData, facts.resources], ['query', false, []]);
    await assert.rejects(resolve('refuse-all', '{ institutions { id } }'), refusedForAudit);
  });
  it("adds up a batch's operations: resources, the personal-data mark, and one reserved place for the one record", async () => {
    const { sink } = await openTestAuditSink({ maxQueuedRecords: 5 });
    const facts = createRequestAuditFacts();
    await resolve('refuse-regulated', contractOperation('CustomerPII'), { id: 'cus_1' }, { sink, facts });
    await resolve('refuse-regulated', '{ institutions { id } }', {}, { sink, facts });
    await resolve('refuse-regulated', '{ customer(id: "cus_2") { id } }', {}, { sink, facts });
    assert.deepEqual([facts.personalData, facts.resources], [true, ['customer:cus_1', 'customer:cus_2']]);
    assert.ok(facts.reservation, 'a place is held for the record');
    assert.ok(sink.reserve() && sink.reserve() && sink.reserve() && sink.reserve(), 'the other four places are free');
    assert.equal(sink.reserve(), undefined);
  });

  it('builds the record at the request end: address through trusted proxies, user agent bound, the code it ended with', async () => {
    const { sink, records } = await openTestAuditSink();
    const audit = createGatewayAudit({
      sink,
      rules,
      whenFull: 'refuse-regulated',
      trustedProxyHops: 1,
      logger: createLogger('test', { level: 'silent' }),
    });
    const request = (headers: Record<string, string>, remoteAddress: string) =>
      ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
    const startedAt = new Date('2026-12-06T05:00:00.000Z');
    const facts = createRequestAuditFacts();
    facts.errorCode = 'FORBIDDEN';
    facts.dataServed = true;
    facts.served.add('Query.customer');
    facts.refused.add('Customer.taxId');
    facts.personalData = true;
    audit.onRequestEnd({
      facts: { requestId: 'req-end-0001', traceId: 'not-a-trace-id' },
      request: request({ 'x-forwarded-for': '203.0.113.9, 198.51.100.7', 'user-agent': 'x'.repeat(1000) }, '::ffff:10.0.0.2'),
      startedAt,
      context: { principal, requestId: 'req-end-0001', audit: facts },
      refusal: undefined,
      status: 200,
    });
    audit.onRequestEnd({
      facts: { requestId: 'req-end-0002', traceId: undefined },
      request: request({ 'x-forwarded-for': 'not an address' }, '::ffff:10.0.0.3'),
      startedAt,
      context: undefined,
      refusal: 'RATE_LIMITED',
      status: 429,
    });
    audit.onRequestEnd({
      facts: { requestId: 'req-end-0003', traceId: undefined },
      request: request({}, '::1'),
      startedAt,
      context: undefined,
      refusal: undefined,
      status: 499,
    });
    audit.onRequestEnd({
      facts: { requestId: 'req-end-0004', traceId: undefined },
      request: request({ 'user-agent': 'agent\u001b[2J\u0007\u00e9' }, '::1'),
      startedAt,
      context: { principal, requestId: 'req-end-0004', audit: { ...createRequestAuditFacts(), errorCode: null } },
      refusal: undefined,
      status: 200,
    });
    const [partial, limited, gone, agent] = await records();
    assert.equal(agent?.userAgent, 'agent?[2J??', 'control characters and non-ASCII never reach the trail');
    assert.deepEqual(
      [
        partial?.outcome,
        partial?.failureCode,
        partial?.clientIp,
        partial?.userAgent?.length,
        partial?.traceId,
        partial?.sub,
        partial?.personalData,
      ],
      ['failure', 'FORBIDDEN', '198.51.100.7', 256, null, 'cus_1', true],
    );
    assert.deepEqual(
      [partial?.fieldsServed, partial?.fieldsRefused, partial?.at],
      [['Query.customer'], ['Customer.taxId'], startedAt.toISOString()],
    );
    assert.deepEqual(
      [limited?.failureCode, limited?.clientIp, limited?.sub, limited?.action, limited?.userAgent],
      ['RATE_LIMITED', null, null, null, null],
    );
    assert.deepEqual([gone?.outcome, gone?.failureCode, gone?.clientIp], ['failure', 'CLIENT_CLOSED_REQUEST', '::1']);
  });
});
