// The credit subgraph through the gateway over the real stack (sandbox bureau, directory, Redis for the score cache and
// the consents): the contract's CreditReport.graphql for each permissible purpose, consent, HARD vs SOFT inquiries,
// scopes and rows, the score cache, reports never cached, the audit line per pull, and a bureau outage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deriveSubgraphKey, INTERNAL_TOKEN_HEADER, signInternalToken } from '../../lib/auth/internalToken.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { RedisHarness } from '../support/redis.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

const creditReportQuery = contractOperation('CreditReport');
const REPORT_ROUTE = 'POST /consumerservices/credit-profile/v2/credit-report';
const scoreQuery = 'query ($id: ID!) { customer(id: $id) { id creditScore { score model range { min max } factors asOf } } }';
const reportQuery = `query ($id: ID!, $purpose: PermissiblePurpose!, $inquiry: InquiryType!) {
  customer(id: $id) { id creditReport(purpose: $purpose, inquiry: $inquiry) { bureau score purpose inquiry pulledAt inquiries { date creditor type } } } }`;
const grantMutation = `mutation ($input: GrantCreditConsentInput!) { grantCreditConsent(input: $input) { purpose grantedAt expiresAt } }`;
const revokeMutation = 'mutation ($purpose: PermissiblePurpose!) { revokeCreditConsent(purpose: $purpose) }';

interface BureauFile {
  riskModel: Array<{ modelIndicator: string; score: string }>;
  tradeline: Array<{ subscriberName: string; balanceAmount: string }>;
  inquiry: Array<{ date: string; subscriberName: string; type: string }>;
}
interface Report {
  bureau: string;
  score: number;
  pulledAt: string;
  tradelines: Array<{ creditor: string; type: string; balance: { amount: string; currency: string } | null; status: string }>;
  inquiries: Array<{ date: string; creditor: string; type: string }>;
}

const risk = (tenant = 'acme', subject?: string) => tokenFor({ role: 'risk', tenant, ...(subject ? { subject } : {}) });
const errorsOf = (response: GraphQLResponse) => response.body.errors ?? [];
const codeAt = (response: GraphQLResponse, path: Array<string | number>) =>
  errorsOf(response).find((error) => JSON.stringify(error.path) === JSON.stringify(path))?.extensions?.code;
const reasonAt = (response: GraphQLResponse, path: Array<string | number>) =>
  errorsOf(response).find((error) => JSON.stringify(error.path) === JSON.stringify(path))?.extensions?.reason;
const customerOf = (response: GraphQLResponse) => response.body.data?.customer as Record<string, unknown> | null | undefined;

describe('credit', () => {
  let redis: RedisHarness;
  let stack: Stack;
  let acme: string[];
  let globexCustomer: string;
  let next = 0;
  /** How far the credit cache's clock is ahead of real time. */
  let clockAheadMs = 0;
  /** A customer no earlier test has pulled, so inquiries, caches and consents start clean. */
  const freshCustomer = () => acme[next++] as string;

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({ redis, clock: () => Date.now() + clockAheadMs });
    const list = async (tenant: string) =>
      (
        (await stack.upstream('/directory/v1/customers?limit=100', credentials[tenant]?.directory as string)) as {
          data: Array<{ id: string }>;
        }
      ).data.map((entry) => entry.id);
    acme = await list('acme');
    globexCustomer = (await list('globex'))[0] as string;
  });
  after(async () => {
    await stack.close();
    await redis.stop();
  });

  /** What the bureau itself says of a customer (a SOFT pull, which lenders never see), to compare against. */
  async function bureauFile(tenant: string, customerId: string): Promise<BureauFile> {
    const response = await fetch(`${stack.sandboxUrl}/bureau/consumerservices/credit-profile/v2/credit-report`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials[tenant]?.bureau as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        consumerPii: { primaryApplicant: { customerReference: customerId } },
        permissiblePurpose: { type: '08' },
        inquiryType: 'SOFT',
        addOns: { riskModels: { modelIndicator: ['F9'] } },
      }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { creditProfile: [BureauFile] }).creditProfile[0];
  }

  async function bureauCalls(): Promise<number> {
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    return calls.bureau?.[REPORT_ROUTE] ?? 0;
  }

  const auditLines = () => stack.logs.filter((line) => line.audit === 'credit-pull');

  it('serves the contract’s CreditReport for each purpose that needs no consent, as the bureau reports it', async () => {
    for (const purpose of ['CREDIT_TRANSACTION', 'ACCOUNT_REVIEW', 'INSURANCE_UNDERWRITING', 'COLLECTION']) {
      const id = freshCustomer();
      const truth = await bureauFile('acme', id);
      const response = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose } });
      assert.deepEqual(errorsOf(response), [], purpose);
      const report = customerOf(response)?.creditReport as Report;
      assert.equal(report.bureau, 'EXPERIAN');
      assert.equal(report.score, Number(truth.riskModel[0]?.score));
      assert.ok(!Number.isNaN(Date.parse(report.pulledAt)));
      assert.deepEqual(
        report.tradelines.map((line) => line.creditor),
        truth.tradeline.map((line) => line.subscriberName),
      );
      // The bureau reports whole dollars: exactly two decimals in USD, never a float.
      assert.deepEqual(
        report.tradelines.map((line) => line.balance),
        truth.tradeline.map((line) => ({ amount: `${BigInt(line.balanceAmount)}.00`, currency: 'USD' })),
      );
      assert.deepEqual(
        report.inquiries.map((entry) => entry.creditor),
        truth.inquiry.map((entry) => entry.subscriberName),
      );
    }
  });

  it('refuses WRITTEN_INSTRUCTION and EMPLOYMENT pulls without the customer’s consent, and serves them with it', async () => {
    const id = freshCustomer();
    // A grant stands for the customer's written authorisation: it needs a second factor.
    const customer = tokenFor({ role: 'customer', tenant: 'acme', customerId: id, amr: ['pwd', 'otp'] });
    for (const purpose of ['WRITTEN_INSTRUCTION', 'EMPLOYMENT']) {
      const before = await bureauCalls();
      const refused = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose } });
      assert.equal(customerOf(refused)?.creditReport, null);
      const error = errorsOf(refused).find((entry) => entry.extensions?.code === 'CONSENT_REQUIRED');
      assert.deepEqual(error?.path, ['customer', 'creditReport']);
      assert.equal(error?.extensions?.purpose, purpose);
      assert.equal(await bureauCalls(), before, 'nothing is asked of the bureau without consent');
    }

    // An employment consent must name the stand-alone disclosure the customer accepted (FCRA 604(b)(2)).
    const bare = await stack.graphql(grantMutation, { token: customer, variables: { input: { purpose: 'EMPLOYMENT' } } });
    assert.equal(errorsOf(bare)[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(errorsOf(bare)[0]?.extensions?.argument, 'disclosureId');
    const withoutSecondFactor = await stack.graphql(grantMutation, {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: id }),
      variables: { input: { purpose: 'WRITTEN_INSTRUCTION' } },
    });
    assert.equal(errorsOf(withoutSecondFactor)[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(errorsOf(withoutSecondFactor)[0]?.extensions?.reason, 'STEP_UP_REQUIRED');
    assert.equal(withoutSecondFactor.body.data?.grantCreditConsent ?? null, null);
    // Staff cannot consent on the customer's behalf.
    const byStaff = await stack.graphql(grantMutation, {
      token: tokenFor({ role: 'admin', tenant: 'acme', amr: ['pwd', 'otp'] }),
      variables: { input: { purpose: 'WRITTEN_INSTRUCTION' } },
    });
    assert.equal(errorsOf(byStaff)[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(errorsOf(byStaff)[0]?.extensions?.reason, 'CUSTOMER_ONLY');
    assert.equal(byStaff.body.data?.grantCreditConsent ?? null, null);

    const consentAudit = () => stack.logs.filter((line) => line.audit === 'credit-consent' && line.customerId === id);
    assert.deepEqual(consentAudit(), [], 'a refused grant writes no consent record');
    for (const input of [{ purpose: 'WRITTEN_INSTRUCTION' }, { purpose: 'EMPLOYMENT', disclosureId: 'fcra-604b-v3', validForDays: 30 }]) {
      const granted = await stack.graphql(grantMutation, { token: customer, variables: { input } });
      assert.deepEqual(errorsOf(granted), []);
      const consent = granted.body.data?.grantCreditConsent as { purpose: string; grantedAt: string; expiresAt: string };
      assert.equal(consent.purpose, input.purpose);
      assert.ok(Date.parse(consent.expiresAt) > Date.parse(consent.grantedAt));
      const served = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose: input.purpose } });
      assert.deepEqual(errorsOf(served), [], input.purpose);
      assert.equal(typeof (customerOf(served)?.creditReport as Report).score, 'number');
    }

    // Consent lives in Redis, not in the subgraph's memory: a restarted subgraph still honours it.
    await stack.restart('credit');
    const afterRestart = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose: 'EMPLOYMENT' } });
    assert.deepEqual(errorsOf(afterRestart), []);

    const revoked = await stack.graphql(revokeMutation, { token: customer, variables: { purpose: 'EMPLOYMENT' } });
    assert.equal(revoked.body.data?.revokeCreditConsent, true);
    const afterRevoke = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose: 'EMPLOYMENT' } });
    assert.equal(codeAt(afterRevoke, ['customer', 'creditReport']), 'CONSENT_REQUIRED');

    // One audit line per grant and per withdrawal: who, for whom, which purpose; never a token or personal data.
    assert.deepEqual(
      consentAudit().map((line) => [line.action, line.purpose, line.sub, line.tenant]),
      [
        ['grant', 'WRITTEN_INSTRUCTION', id, 'acme'],
        ['grant', 'EMPLOYMENT', id, 'acme'],
        ['revoke', 'EMPLOYMENT', id, 'acme'],
      ],
    );
    assert.equal(consentAudit()[1]?.disclosureId, 'fcra-604b-v3');
    assert.equal(consentAudit()[2]?.revoked, true);
  });

  it('records a HARD inquiry where the next report shows it, and keeps a SOFT one out of lenders’ view', async () => {
    const id = freshCustomer();
    const pull = async (purpose: string, inquiry: string) => {
      const response = await stack.graphql(reportQuery, { token: risk(), variables: { id, purpose, inquiry } });
      assert.deepEqual(errorsOf(response), [], `${purpose} ${inquiry}`);
      return customerOf(response)?.creditReport as Report & { purpose: string; inquiry: string };
    };
    const first = await pull('CREDIT_TRANSACTION', 'SOFT');
    const afterSoft = await pull('CREDIT_TRANSACTION', 'HARD');
    assert.deepEqual(afterSoft.inquiries, first.inquiries, 'a SOFT pull is not shown to lenders');
    assert.equal(afterSoft.inquiry, 'HARD');
    const afterHard = await pull('ACCOUNT_REVIEW', 'SOFT');
    assert.equal(afterHard.inquiries.length, first.inquiries.length + 1);
    const organisation = ((await stack.upstream('/directory/v1/organisation', credentials.acme?.directory as string)) as { name: string })
      .name;
    const recorded = afterHard.inquiries.find((entry) => !first.inquiries.some((old) => JSON.stringify(old) === JSON.stringify(entry)));
    assert.deepEqual(recorded, { date: afterSoft.pulledAt.slice(0, 10), creditor: organisation.toUpperCase(), type: 'HARD' });
    // The bureau's own record of the file holds both, the soft one included (the consumer's own view).
    const onFile = (await stack.control(`/bureau/inquiries/${id}`)) as { inquiries: Array<{ type: string }> };
    assert.deepEqual(
      onFile.inquiries.map((entry) => entry.type),
      ['S', 'H', 'S'],
    );
  });

  it('makes one HARD inquiry per customer and purpose however the request is retried', async () => {
    const hard = (id: string) =>
      stack.graphql(reportQuery, { token: risk(), variables: { id, purpose: 'CREDIT_TRANSACTION', inquiry: 'HARD' } });
    const hardOnFile = async (id: string) =>
      ((await stack.control(`/bureau/inquiries/${id}`)) as { inquiries: Array<{ type: string }> }).inquiries.filter(
        (entry) => entry.type === 'H',
      ).length;

    // Asked twice: the second is refused before the bureau, and the file holds one hard inquiry.
    const twice = freshCustomer();
    assert.deepEqual(errorsOf(await hard(twice)), []);
    const before = await bureauCalls();
    const again = await hard(twice);
    assert.equal(codeAt(again, ['customer', 'creditReport']), 'BAD_USER_INPUT');
    assert.equal(errorsOf(again)[0]?.extensions?.reason, 'HARD_INQUIRY_RECENT');
    assert.equal(await bureauCalls(), before);
    assert.equal(await hardOnFile(twice), 1);

    // The bureau answers that it is down: no pull was made, so the retry may pull.
    const afterOutage = freshCustomer();
    await stack.control('/providers/bureau', { down: true });
    try {
      assert.equal(codeAt(await hard(afterOutage), ['customer', 'creditReport']), 'UPSTREAM_UNAVAILABLE');
    } finally {
      await stack.control('/providers/bureau', { down: false });
    }
    assert.deepEqual(errorsOf(await hard(afterOutage)), []);
    assert.equal(await hardOnFile(afterOutage), 1);

    // The bureau answers too late, yet records the pull: the retry is refused, and the file still holds one.
    const afterTimeout = freshCustomer();
    await stack.control('/providers/bureau', { latencyMs: 6000 });
    try {
      assert.equal(codeAt(await hard(afterTimeout), ['customer', 'creditReport']), 'UPSTREAM_TIMEOUT');
    } finally {
      await stack.control('/providers/bureau', { latencyMs: 0 });
    }
    for (let wait = 0; wait < 100 && (await hardOnFile(afterTimeout)) === 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await hardOnFile(afterTimeout), 1, 'the bureau recorded the pull it answered late');
    assert.equal(errorsOf(await hard(afterTimeout))[0]?.extensions?.reason, 'HARD_INQUIRY_RECENT');
    assert.equal(await hardOnFile(afterTimeout), 1);
  });

  it('refuses a HARD inquiry for a soft-only purpose before asking the bureau', async () => {
    const id = freshCustomer();
    const before = await bureauCalls();
    for (const purpose of ['ACCOUNT_REVIEW', 'INSURANCE_UNDERWRITING', 'COLLECTION']) {
      const response = await stack.graphql(reportQuery, { token: risk(), variables: { id, purpose, inquiry: 'HARD' } });
      assert.equal(codeAt(response, ['customer', 'creditReport']), 'BAD_USER_INPUT', purpose);
      assert.equal(errorsOf(response)[0]?.extensions?.argument, 'inquiry');
    }
    assert.equal(await bureauCalls(), before);
  });

  it('gives the score to credit:read and the report only to credit:report, and each row only to its reader', async () => {
    const id = freshCustomer();
    const other = freshCustomer();
    const both =
      'query ($id: ID!) { customer(id: $id) { id creditScore { score } creditReport(purpose: CREDIT_TRANSACTION, inquiry: SOFT) { score } } }';
    // Support staff have neither scope: both fields are refused, the customer still stands.
    const support = await stack.graphql(both, { token: tokenFor({ role: 'support', tenant: 'acme' }), variables: { id } });
    assert.equal(customerOf(support)?.id, id);
    assert.equal(codeAt(support, ['customer', 'creditScore']), 'FORBIDDEN');
    assert.equal(codeAt(support, ['customer', 'creditReport']), 'FORBIDDEN');
    assert.equal(reasonAt(support, ['customer', 'creditScore']), 'MISSING_SCOPE');
    assert.equal(reasonAt(support, ['customer', 'creditReport']), 'MISSING_SCOPE');
    // credit:read without credit:report: the score, not the report.
    const reader = tokenFor({ role: 'support', tenant: 'acme', scopes: ['profile:read', 'credit:read'] });
    const scoreOnly = await stack.graphql(both, { token: reader, variables: { id } });
    assert.equal(typeof (customerOf(scoreOnly)?.creditScore as { score: number }).score, 'number');
    assert.equal(codeAt(scoreOnly, ['customer', 'creditReport']), 'FORBIDDEN');

    // A customer reads its own score; another customer's is NOT_FOUND, as is a full report even with the scope.
    const customer = tokenFor({ role: 'customer', tenant: 'acme', customerId: id });
    const own = await stack.graphql(scoreQuery, { token: customer, variables: { id } });
    assert.deepEqual(errorsOf(own), []);
    const foreign = await stack.graphql(scoreQuery, { token: customer, variables: { id: other } });
    assert.equal(errorsOf(foreign)[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(customerOf(foreign)?.creditScore ?? null, null);
    const customerWithReportScope = tokenFor({
      role: 'customer',
      tenant: 'acme',
      customerId: id,
      scopes: ['profile:read', 'credit:read', 'credit:report'],
    });
    const ownReport = await stack.graphql(both, { token: customerWithReportScope, variables: { id } });
    assert.equal(codeAt(ownReport, ['customer', 'creditReport']), 'FORBIDDEN');
    assert.equal(reasonAt(ownReport, ['customer', 'creditReport']), 'STAFF_ONLY');

    // Another tenant's customer does not exist for acme's staff.
    const before = await bureauCalls();
    const crossTenant = await stack.graphql(creditReportQuery, {
      token: risk('acme'),
      variables: { id: globexCustomer, purpose: 'CREDIT_TRANSACTION' },
    });
    assert.equal(customerOf(crossTenant)?.creditReport ?? null, null);
    assert.ok(errorsOf(crossTenant).some((error) => error.extensions?.code === 'NOT_FOUND'));
    assert.equal(await bureauCalls(), before);
  });

  it('checks the tenant itself when the gateway hands it a reference: another tenant’s customer is NOT_FOUND', async () => {
    // Straight to the credit subgraph's _entities, as the gateway would call it, so no other subgraph has refused first.
    const key = deriveSubgraphKey(testKeys.internalSecret, 'credit');
    const principal = {
      sub: 'staff_risk_acme',
      tenant: 'acme',
      customerId: undefined,
      scopes: ['credit:read', 'credit:report'],
      amr: ['pwd'],
    };
    const before = await bureauCalls();
    const response = await stack.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id creditScore { score } creditReport(purpose: CREDIT_TRANSACTION, inquiry: SOFT) { score } } } }',
      {
        url: stack.subgraphUrls.credit as string,
        variables: { r: [{ __typename: 'Customer', id: globexCustomer }] },
        headers: { [INTERNAL_TOKEN_HEADER]: signInternalToken(key, 'credit', principal, 'req-credit-tenant') },
      },
    );
    const codes = errorsOf(response)
      .map((error) => `${JSON.stringify(error.path)} ${String(error.extensions?.code)}`)
      .sort();
    assert.deepEqual(codes, ['["_entities",0,"creditReport"] NOT_FOUND', '["_entities",0,"creditScore"] NOT_FOUND']);
    assert.equal(await bureauCalls(), before);
  });

  it('caches the score: a second read, by anyone in the tenant, makes no bureau call', async () => {
    const id = freshCustomer();
    await stack.resetCache();
    const before = await bureauCalls();
    const staff = await stack.graphql(scoreQuery, { token: risk(), variables: { id } });
    assert.deepEqual(errorsOf(staff), []);
    const score = customerOf(staff)?.creditScore as {
      score: number;
      model: string;
      range: { min: number; max: number };
      factors: string[];
      asOf: string;
    };
    assert.equal(score.score, Number((await bureauFile('acme', id)).riskModel[0]?.score));
    assert.equal(score.model, 'FICO_8');
    assert.deepEqual(score.range, { min: 300, max: 850 });
    assert.ok(score.factors.length > 0);
    const afterFirst = await bureauCalls();
    assert.equal(afterFirst, before + 2, 'one pull for the score, one for the test’s own look at the bureau');
    const again = await stack.graphql(scoreQuery, {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: id }),
      variables: { id },
    });
    assert.deepEqual(customerOf(again)?.creditScore, score);
    assert.equal(await bureauCalls(), afterFirst);
  });

  it('never serves a report from a cache: two principals asking alike make two bureau pulls', async () => {
    const id = freshCustomer();
    const before = await bureauCalls();
    const variables = { id, purpose: 'CREDIT_TRANSACTION' };
    const first = await stack.graphql(creditReportQuery, { token: risk('acme', 'staff_risk_ann'), variables });
    const second = await stack.graphql(creditReportQuery, { token: risk('acme', 'staff_risk_bob'), variables });
    assert.deepEqual(errorsOf(first), []);
    assert.deepEqual(errorsOf(second), []);
    assert.equal(await bureauCalls(), before + 2);
  });

  it('logs one audit line per pull: who, for whom, tenant, purpose, inquiry and bureau, never the report', async () => {
    const id = freshCustomer();
    const truth = await bureauFile('acme', id);
    const before = auditLines().length;
    const response = await stack.graphql(creditReportQuery, {
      token: risk('acme', 'staff_risk_audit'),
      variables: { id, purpose: 'COLLECTION' },
    });
    assert.deepEqual(errorsOf(response), []);
    const lines = auditLines().slice(before);
    assert.equal(lines.length, 1);
    assert.deepEqual(
      {
        sub: lines[0]?.sub,
        customerId: lines[0]?.customerId,
        tenant: lines[0]?.tenant,
        purpose: lines[0]?.purpose,
        inquiry: lines[0]?.inquiry,
        bureau: lines[0]?.bureau,
        outcome: lines[0]?.outcome,
      },
      {
        sub: 'staff_risk_audit',
        customerId: id,
        tenant: 'acme',
        purpose: 'COLLECTION',
        inquiry: 'SOFT',
        bureau: 'EXPERIAN',
        outcome: 'ok',
      },
    );
    const text = JSON.stringify(lines[0]);
    for (const line of truth.tradeline) assert.ok(!text.includes(line.subscriberName), 'no report contents in the audit line');
    const allowed = [
      'level',
      'time',
      'service',
      'name',
      'pid',
      'hostname',
      'requestId',
      'msg',
      'audit',
      'sub',
      'tenant',
      'customerId',
      'purpose',
      'inquiry',
      'bureau',
      'product',
      'outcome',
    ];
    assert.deepEqual(
      Object.keys(lines[0] ?? {}).filter((key) => !allowed.includes(key)),
      [],
      'nothing but the audit facts',
    );
  });

  it("serves a stale score while the bureau is down, with the asOf of the bureau's answer, for 24 hours past freshness", async () => {
    const id = freshCustomer();
    const token = risk();
    const fresh = await stack.graphql(scoreQuery, { token, variables: { id } });
    assert.deepEqual(errorsOf(fresh), []);
    const score = customerOf(fresh)?.creditScore as { score: number; asOf: string };
    assert.ok(Date.parse(score.asOf) <= Date.now());
    await stack.control('/providers/bureau', { down: true });
    try {
      // Seven hours on: past the score's 6 hours of freshness, within its 24 hours of grace.
      clockAheadMs = 7 * 3_600_000;
      const before = await bureauCalls();
      const stale = await stack.graphql(scoreQuery, { token, variables: { id } });
      assert.deepEqual(errorsOf(stale), []);
      assert.deepEqual(customerOf(stale)?.creditScore, customerOf(fresh)?.creditScore, 'the same score, with the asOf the bureau gave it');
      // The stale answer started a refresh in the background; the bureau is asked (and fails) without the client waiting.
      for (let polls = 0; polls < 200 && (await bureauCalls()) === before; polls += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok((await bureauCalls()) > before, 'a refresh was tried, and failed');
      // Thirty-one hours on: past freshness and grace, nothing is served in its name.
      clockAheadMs = 31 * 3_600_000;
      const expired = await stack.graphql(scoreQuery, { token, variables: { id } });
      assert.equal(codeAt(expired, ['customer', 'creditScore']), 'UPSTREAM_UNAVAILABLE');
      assert.equal(customerOf(expired)?.creditScore ?? null, null);
    } finally {
      clockAheadMs = 0;
      await stack.control('/providers/bureau', { down: false });
    }
  });

  it('audits a pull the bureau failed, with its outcome', async () => {
    const id = freshCustomer();
    const before = auditLines().length;
    await stack.control('/providers/bureau', { down: true });
    try {
      const response = await stack.graphql(creditReportQuery, {
        token: risk('acme', 'staff_risk_failed'),
        variables: { id, purpose: 'COLLECTION' },
      });
      assert.equal(codeAt(response, ['customer', 'creditReport']), 'UPSTREAM_UNAVAILABLE');
    } finally {
      await stack.control('/providers/bureau', { down: false });
    }
    const lines = auditLines().slice(before);
    assert.deepEqual(
      lines.map((line) => [line.sub, line.customerId, line.purpose, line.product, line.outcome]),
      [['staff_risk_failed', id, 'COLLECTION', 'report', 'UPSTREAM_UNAVAILABLE']],
    );
  });

  it('answers UPSTREAM_UNAVAILABLE at creditScore when the bureau is down, with the rest of the response standing', async () => {
    const id = freshCustomer();
    await stack.resetCache();
    await stack.control('/providers/bureau', { down: true });
    try {
      const response = await stack.graphql('query ($id: ID!) { customer(id: $id) { id accounts { id } creditScore { score } } }', {
        token: risk(),
        variables: { id },
      });
      const customer = customerOf(response);
      assert.equal(customer?.id, id);
      assert.ok(Array.isArray(customer?.accounts) && customer.accounts.length > 0, 'accounts still served');
      assert.equal(customer?.creditScore, null);
      const error = errorsOf(response).find((entry) => entry.extensions?.code === 'UPSTREAM_UNAVAILABLE');
      assert.deepEqual(error?.path, ['customer', 'creditScore']);
      assert.equal(error?.extensions?.provider, 'bureau');
      assert.ok(!JSON.stringify(response.body).includes(stack.sandboxUrl), 'no upstream URL in the response');
    } finally {
      await stack.control('/providers/bureau', { down: false });
    }
  });
  // Last in this file: it stops the Redis that keeps consents, and the one it starts again is empty.
  it('fails closed when the consent store cannot be read: CONSENT_STORE_UNAVAILABLE and no bureau call', async () => {
    const id = freshCustomer();
    const customer = tokenFor({ role: 'customer', tenant: 'acme', customerId: id, amr: ['pwd', 'otp'] });
    await redis.stop();
    try {
      const before = await bureauCalls();
      const refused = await stack.graphql(creditReportQuery, { token: risk(), variables: { id, purpose: 'WRITTEN_INSTRUCTION' } });
      const error = errorsOf(refused).find((entry) => JSON.stringify(entry.path) === JSON.stringify(['customer', 'creditReport']));
      assert.equal(error?.extensions?.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(error?.extensions?.reason, 'CONSENT_STORE_UNAVAILABLE');
      assert.equal(customerOf(refused)?.creditReport ?? null, null);
      assert.equal(await bureauCalls(), before, 'no consent read, no pull');
      const grant = await stack.graphql(grantMutation, { token: customer, variables: { input: { purpose: 'WRITTEN_INSTRUCTION' } } });
      assert.equal(errorsOf(grant)[0]?.extensions?.reason, 'CONSENT_STORE_UNAVAILABLE');
      assert.equal(grant.body.data?.grantCreditConsent ?? null, null);
      assert.deepEqual(
        stack.logs.filter((line) => line.audit === 'credit-consent' && line.customerId === id),
        [],
        'no grant recorded that was not kept',
      );
    } finally {
      await redis.restart();
    }
  });
});
