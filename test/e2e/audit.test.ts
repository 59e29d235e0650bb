// The audit trail over the real stack (issue 15): every contract operation leaves exactly one gateway record with who,
// what, on which resource and which scoped fields; refused requests (no token, a rate limit, a body that is not JSON,
// bad variables, a field the role may not read) each leave one failure record with their code; the subgraphs record
// their regulated upstream calls by id only; no personal data value is in any record; the chains verify; and a soak
// of light requests leaves as many records as requests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { auditCheckpointFiles, auditFiles } from '../../lib/audit/fileSink.js';
import type { AuditRecord } from '../../lib/audit/record.js';
import { verifyFiles } from '../../lib/audit/verify.js';
import {
  type ContractCustomer,
  contractCustomer,
  contractOperation,
  contractOperationNames,
  contractRequests,
} from '../support/contract.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

const USER_AGENT = 'fingraph-audit-test/1.0';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const subOf = (token: string) => (jwt.decode(token) as { sub: string }).sub;

describe('audit trail', () => {
  let stack: Stack;
  let customer: ContractCustomer;
  let usdAccountId: string;
  before(async () => {
    // One unauthenticated request per address, ever: the second one is rate-limited (RATE_LIMITED), cheaply.
    stack = await startStack({ env: { RATE_LIMIT_IP: '1/3600:1' } });
    customer = await contractCustomer(stack);
    usdAccountId = customer.usdAccountId;
  });
  after(async () => {
    await stack.close();
  });

  /** A POST to the gateway under a request id of the test's choosing, so its records are found by it. */
  async function send(
    requestId: string,
    query: string,
    options: { token?: string; variables?: Record<string, unknown>; rawBody?: string } = {},
  ): Promise<Answer> {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-request-id': requestId,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.rawBody ?? JSON.stringify({ query, variables: options.variables ?? {} }),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  /**
   * The records of one stream with this request id, once the edge has appended them: a record is appended when the
   * answer's connection event fires, which may come just after the client has read the answer.
   */
  async function recordsOf(stream: 'gateway' | 'identity' | 'payments' | 'credit', requestId: string): Promise<AuditRecord[]> {
    for (let attempt = 0; ; attempt += 1) {
      const found = (await stack.auditRecords(stream)).filter((record) => record.requestId === requestId);
      if (found.length > 0 || attempt >= 50) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function onlyGatewayRecord(requestId: string): Promise<AuditRecord> {
    await recordsOf('gateway', requestId);
    // Counted once everything appended so far is written: a second record of the request would be among them.
    await stack.flushAudit();
    const found = (await stack.auditRecords('gateway')).filter((record) => record.requestId === requestId);
    assert.equal(found.length, 1, `exactly one gateway record for ${requestId}: ${JSON.stringify(found)}`);
    return found[0] as AuditRecord;
  }

  it('leaves exactly one gateway record per contract operation, with who, what, where from, on what and which fields', async () => {
    const requests = contractRequests({ id: customer.id, usdAccountId, idempotencyKey: `audit-e2e-${Date.now()}` });
    assert.deepEqual(Object.keys(requests).sort(), contractOperationNames());
    const expected: Record<string, { action: string; resource: string; personalData: boolean; served: string[] }> = {
      Customers: { action: 'query', resource: 'tenant:acme', personalData: true, served: ['Query.customers'] },
      CustomerOverview: {
        action: 'query',
        resource: `customer:${customer.id}`,
        personalData: true,
        served: ['Customer.kyc', 'Customer.email'],
      },
      CustomerPII: {
        action: 'query',
        resource: `customer:${customer.id}`,
        personalData: true,
        served: ['Customer.taxId', 'Customer.dateOfBirth', 'Customer.address', 'Account.accountNumber'],
      },
      CreditReport: { action: 'query', resource: `customer:${customer.id}`, personalData: true, served: ['Customer.creditReport'] },
      CashPosition: { action: 'query', resource: 'tenant:acme', personalData: false, served: ['Query.cashPosition'] },
      Me: { action: 'query', resource: `customer:${customer.id}`, personalData: true, served: ['Query.me'] },
      InitiatePayment: {
        action: 'mutation',
        resource: `account:${usdAccountId}`,
        personalData: false,
        served: ['Mutation.initiatePayment'],
      },
    };
    const answers = new Map<string, Answer>();
    for (const [name, request] of Object.entries(requests)) {
      const answer = await send(`audit-contract-${name}`, request.query, { token: request.token, variables: request.variables });
      assert.equal(answer.status, 200, name);
      assert.equal(answer.body.errors, undefined, `${name}: ${JSON.stringify(answer.body.errors)}`);
      answers.set(name, answer);
    }
    for (const [name, request] of Object.entries(requests)) {
      const record = await onlyGatewayRecord(`audit-contract-${name}`);
      const want = expected[name];
      assert.ok(want, `expectations for ${name}`);
      assert.equal(record.type, 'api.call', name);
      assert.equal(record.outcome, 'success', name);
      assert.equal(record.failureCode, null, name);
      assert.equal(record.sub, subOf(request.token), name);
      assert.equal(record.tenant, 'acme', name);
      assert.equal(record.operationName, name);
      assert.equal(record.documentHash, sha256(request.query), `${name}: the SHA-256 of the text as sent`);
      assert.equal(record.action, want.action, name);
      assert.equal(record.resource, want.resource, name);
      assert.equal(record.personalData, want.personalData, name);
      assert.equal(record.clientIp, '127.0.0.1', name);
      assert.equal(record.userAgent, USER_AGENT, name);
      assert.equal(record.traceId, null, `${name}: no tracing yet`);
      for (const coordinate of want.served) assert.ok(record.fieldsServed.includes(coordinate), `${name} served ${coordinate}`);
      assert.deepEqual(record.fieldsRefused, [], name);
      assert.ok(!record.fieldsServed.includes('Query.institutions'), 'a public field is not a scoped one');
    }

    // The regulated upstream calls of those requests, in the subgraphs' own streams, by id only.
    const pulls = await recordsOf('credit', 'audit-contract-CreditReport');
    assert.equal(pulls.length, 1, JSON.stringify(pulls));
    assert.deepEqual(
      pulls.map(({ type, action, resource, outcome, personalData, sub, tenant }) => ({
        type,
        action,
        resource,
        outcome,
        personalData,
        sub,
        tenant,
      })),
      [
        {
          type: 'upstream.call',
          action: 'credit.pull',
          resource: `customer:${customer.id}`,
          outcome: 'success',
          personalData: true,
          sub: subOf(requests.CreditReport?.token as string),
          tenant: 'acme',
        },
      ],
    );
    const payment = (answers.get('InitiatePayment')?.body.data?.initiatePayment as { payment: { id: string } }).payment;
    const created = await recordsOf('payments', 'audit-contract-InitiatePayment');
    assert.deepEqual(
      created.map(({ action, resource, outcome }) => ({ action, resource, outcome })),
      [{ action: 'payment.create', resource: `payment:${payment.id}`, outcome: 'success' }],
    );
    // Personal data is read from the KYC provider once per customer and then cached: by whichever request came first.
    const identity = (
      await Promise.all(['CustomerOverview', 'CustomerPII', 'Me'].map((name) => recordsOf('identity', `audit-contract-${name}`)))
    ).flat();
    const actions = new Set(identity.filter((record) => record.resource === `customer:${customer.id}`).map((record) => record.action));
    assert.ok(actions.has('customer.read') && actions.has('kyc.read'), `identity records: ${JSON.stringify(identity)}`);

    // No personal data value of this customer anywhere in the trail.
    const pii = answers.get('CustomerPII')?.body.data?.customer as {
      taxId: string;
      dateOfBirth: string;
      address: { line1: string };
      accounts: Array<{ accountNumber: string }>;
    };
    const overview = answers.get('CustomerOverview')?.body.data?.customer as { displayName: string; email: string };
    const values = [
      pii.taxId,
      pii.dateOfBirth,
      pii.address.line1,
      overview.displayName,
      overview.email,
      ...pii.accounts.map((a) => a.accountNumber),
    ];
    assert.ok(
      values.every((value) => typeof value === 'string' && value.length > 3),
      'the customer has personal data to look for',
    );
    await stack.flushAudit();
    for (const stream of ['gateway', 'identity', 'payments', 'credit']) {
      for (const file of await auditFiles(stack.auditDirectory, stream)) {
        const text = readFileSync(file, 'utf8');
        for (const value of values) assert.ok(!text.includes(value), `${file} holds a personal data value`);
        for (const request of Object.values(requests)) assert.ok(!text.includes(request.token), `${file} holds a token`);
      }
    }
  });

  it("records consents given and withdrawn, and a payment cancellation, in the subgraphs' streams by id", async () => {
    const customerToken = tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id, amr: ['pwd', 'otp'] });
    const granted = await send(
      'audit-consent-grant',
      'mutation ($input: GrantCreditConsentInput!) { grantCreditConsent(input: $input) { purpose } }',
      { token: customerToken, variables: { input: { purpose: 'WRITTEN_INSTRUCTION' } } },
    );
    assert.equal(granted.body.errors, undefined, JSON.stringify(granted.body.errors));
    const revoked = await send(
      'audit-consent-revoke',
      'mutation ($purpose: PermissiblePurpose!) { revokeCreditConsent(purpose: $purpose) }',
      {
        token: customerToken,
        variables: { purpose: 'WRITTEN_INSTRUCTION' },
      },
    );
    assert.equal(revoked.body.data?.revokeCreditConsent, true);
    for (const [requestId, action] of [
      ['audit-consent-grant', 'credit.consent.grant'],
      ['audit-consent-revoke', 'credit.consent.revoke'],
    ] as const) {
      const records = await recordsOf('credit', requestId);
      assert.deepEqual(
        records.map((record) => [record.action, record.resource, record.outcome, record.sub]),
        [[action, `customer:${customer.id}`, 'success', customer.id]],
        requestId,
      );
      assert.equal((await onlyGatewayRecord(requestId)).action, 'mutation');
    }

    const payments = (await stack.auditRecords('payments')).filter((record) => record.action === 'payment.create');
    const paymentId = payments.at(-1)?.resource?.replace(/^payment:/, '');
    assert.ok(paymentId, 'a payment was created by the contract test');
    const cancelled = await send('audit-cancel', 'mutation ($id: ID!) { cancelPayment(id: $id) { payment { id status } } }', {
      token: customerToken,
      variables: { id: paymentId },
    });
    const records = await recordsOf('payments', 'audit-cancel');
    assert.deepEqual(
      records.map((record) => [record.action, record.resource, record.outcome, record.failureCode]),
      [
        [
          'payment.cancel',
          `payment:${paymentId}`,
          cancelled.body.errors ? 'failure' : 'success',
          (cancelled.body.errors?.[0]?.extensions?.code as string | undefined) ?? null,
        ],
      ],
    );
    assert.equal((await onlyGatewayRecord('audit-cancel')).resource, `payment:${paymentId}`);
  });

  it('records the scoped fields refused to a role that lacks their scope, as a failure with FORBIDDEN', async () => {
    const support = tokenFor({ role: 'support', tenant: 'acme' });
    const query = contractOperation('CustomerPII');
    const answer = await send('audit-refused-fields', query, { token: support, variables: { id: customer.id } });
    assert.equal(answer.status, 200);
    assert.ok(answer.body.data?.customer, 'the rest of the response stands');
    const record = await onlyGatewayRecord('audit-refused-fields');
    assert.equal(record.outcome, 'failure');
    assert.equal(record.failureCode, 'FORBIDDEN');
    assert.equal(record.sub, subOf(support));
    assert.deepEqual(record.fieldsRefused, ['Account.accountNumber', 'Customer.address', 'Customer.dateOfBirth', 'Customer.taxId']);
    assert.ok(record.fieldsServed.includes('Query.customer'));
    for (const refused of record.fieldsRefused) assert.ok(!record.fieldsServed.includes(refused), `${refused} is not served`);
    assert.equal(record.resource, `customer:${customer.id}`);
  });

  it('leaves one failure record for each request refused at the edge or before it ran, with its code', async () => {
    const admin = tokenFor({ role: 'admin', tenant: 'acme' });
    const cases: Array<{ id: string; answer: () => Promise<Answer>; status: number; code: string; sub: string | null }> = [
      {
        id: 'audit-no-token',
        answer: () => send('audit-no-token', '{ institutions { id } }'),
        status: 401,
        code: 'UNAUTHENTICATED',
        sub: null,
      },
      // The address's one unauthenticated request is spent.
      {
        id: 'audit-rate-limited',
        answer: () => send('audit-rate-limited', '{ institutions { id } }'),
        status: 429,
        code: 'RATE_LIMITED',
        sub: null,
      },
      {
        id: 'audit-not-json',
        answer: () => send('audit-not-json', '', { token: admin, rawBody: '{"query": ' }),
        status: 400,
        code: 'BAD_USER_INPUT',
        sub: null,
      },
      {
        id: 'audit-bad-variables',
        answer: () => send('audit-bad-variables', contractOperation('Customers'), { token: admin, variables: { first: 'many' } }),
        status: 400,
        code: 'BAD_USER_INPUT',
        sub: subOf(admin),
      },
    ];
    for (const entry of cases) {
      const answer = await entry.answer();
      assert.equal(answer.status, entry.status, `${entry.id}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, entry.code, entry.id);
      const record = await onlyGatewayRecord(entry.id);
      assert.equal(record.outcome, 'failure', entry.id);
      assert.equal(record.failureCode, entry.code, entry.id);
      assert.equal(record.sub, entry.sub, entry.id);
      assert.deepEqual(record.fieldsServed, [], `${entry.id} served nothing`);
      assert.equal(record.personalData, false, entry.id);
      assert.equal(record.clientIp, '127.0.0.1', entry.id);
    }
  });

  it('records a persisted query sent by hash alone under that hash, found or not', async () => {
    const token = tokenFor({ role: 'support', tenant: 'acme' });
    const query = '{ institutions { id name } }';
    const hash = sha256(query);
    const persisted = (requestId: string, withText: boolean) =>
      send(requestId, '', {
        token,
        rawBody: JSON.stringify({ ...(withText ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      });
    const unknown = await persisted('audit-apq-unknown', false);
    assert.equal(unknown.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
    assert.equal((await persisted('audit-apq-register', true)).body.errors, undefined);
    assert.equal((await persisted('audit-apq-by-hash', false)).body.errors, undefined);
    const records = await Promise.all(['audit-apq-unknown', 'audit-apq-register', 'audit-apq-by-hash'].map(onlyGatewayRecord));
    assert.deepEqual(
      records.map((record) => [record.documentHash, record.outcome, record.failureCode]),
      [
        [hash, 'failure', 'PERSISTED_QUERY_NOT_FOUND'],
        [hash, 'success', null],
        [hash, 'success', null],
      ],
    );
  });

  it('leaves as many gateway records as requests under a soak, and every chain verifies', async () => {
    const token = tokenFor({ role: 'support', tenant: 'acme' });
    const total = 2000;
    const concurrency = 16;
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const index = next;
          next += 1;
          statuses.push((await send(`audit-soak-${String(index).padStart(5, '0')}`, '{ __typename }', { token })).status);
        }
      }),
    );
    assert.equal(statuses.length, total);
    assert.ok(
      statuses.every((status) => status === 200),
      'every soak request answered',
    );
    let soaked = 0;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      soaked = (await stack.auditRecords('gateway')).filter((record) => record.requestId.startsWith('audit-soak-')).length;
      if (soaked >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(soaked, total, 'one record per request');
    for (const stream of ['gateway', 'identity', 'payments', 'credit']) {
      const files = await auditFiles(stack.auditDirectory, stream);
      assert.ok(files.length > 0, `${stream} wrote day files`);
      const verified = await verifyFiles(files, { stream });
      assert.ok(verified.ok, `${stream}: ${JSON.stringify(verified)}`);
    }
    // Past the soak the gateway has written more than one checkpoint's worth of records: its signed checkpoints
    // verify with the stack's public key and vouch for the records they name.
    const checkpointFiles = await auditCheckpointFiles(stack.auditDirectory, 'gateway');
    assert.ok(checkpointFiles.length > 0, 'the gateway signed checkpoints');
    const signed = await verifyFiles(await auditFiles(stack.auditDirectory, 'gateway'), {
      stream: 'gateway',
      checkpointKeys: [{ publicKey: stack.auditPublicKey }],
      checkpointFiles,
    });
    assert.ok(signed.ok, JSON.stringify(signed));
  });
});
