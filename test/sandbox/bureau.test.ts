// The sandbox bureau in Experian's credit-profile shape: its key decides the tenant, a permissible purpose is required
// on every pull, files are deterministic per seed, a HARD inquiry shows in later reports and a SOFT one does not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { assertEvery } from '../support/assertions.js';
import { allCustomers, call } from './helpers.js';

interface Profile {
  headerRecord: Array<{ reportDate: string; reportTime: string }>;
  riskModel: Array<{ modelIndicator: string; score: string; scoreFactors: Array<{ importance: string; code: string }> }>;
  tradeline: Array<{ subscriberName: string; accountType: string; balanceAmount: string; status: string; openDate: string }>;
  inquiry: Array<{ date: string; subscriberName: string; type: string }>;
}
interface BureauError {
  errors: Array<{ errorCode: string; errorType: string; message: string }>;
}

const path = '/bureau/consumerservices/credit-profile/v2/credit-report';

function pullBody(customerId: string, overrides: Record<string, unknown> = {}) {
  return {
    consumerPii: { primaryApplicant: { customerReference: customerId } },
    permissiblePurpose: { type: '3F' },
    inquiryType: 'SOFT',
    addOns: { riskModels: { modelIndicator: ['F9', 'V4'] } },
    ...overrides,
  };
}

describe('bureau', () => {
  let sandbox: Sandbox;
  let acme: string[] = [];
  let globex: string[] = [];
  /** `key` null: no Authorization header at all. */
  const pull = <T>(body: unknown, key: string | null = credentials.acme.bureau, target: Sandbox = sandbox) =>
    call<T>(`${target.url}${path}`, { method: 'POST', body, ...(key === null ? {} : { token: key }) });

  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate: '2026-11-24', latency: 'none' });
    acme = (await allCustomers(sandbox.url, credentials.acme.directory)).map((customer) => customer.id);
    globex = (await allCustomers(sandbox.url, credentials.globex.directory)).map((customer) => customer.id);
  });
  after(() => sandbox.close());

  it('refuses a pull without a valid key, without a permissible purpose, or with one it does not know', async () => {
    const id = acme[0] as string;
    assert.equal((await pull<BureauError>(pullBody(id), null)).status, 401);
    assert.equal((await pull<BureauError>(pullBody(id), 'sk_sandbox_acme_bureau_wrong')).status, 401);
    const { permissiblePurpose: _omitted, ...withoutPurpose } = pullBody(id);
    const missing = await pull<BureauError>(withoutPurpose);
    assert.equal(missing.status, 400);
    assert.match(missing.body.errors[0]?.message ?? '', /permissiblePurpose/);
    assert.equal((await pull<BureauError>(pullBody(id, { permissiblePurpose: { type: 'ZZ' } }))).status, 400);
    assert.equal((await pull<BureauError>(pullBody(id, { inquiryType: 'MAYBE' }))).status, 400);
    // Reviews, employment, insurance and collection are soft-only.
    for (const type of ['08', '0E', '0I', '07']) {
      assert.equal((await pull<BureauError>(pullBody(id, { permissiblePurpose: { type }, inquiryType: 'HARD' }))).status, 400, type);
    }
  });

  it('knows only the calling tenant’s consumers', async () => {
    const foreign = await pull<BureauError>(pullBody(globex[0] as string));
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.errors[0]?.errorType, 'No Record Found');
    assert.equal((await pull(pullBody(globex[0] as string), credentials.globex.bureau)).status, 200);
  });

  it('reports scores on 300–850 for each model asked for, with reasons, tradelines and inquiries in the bureau’s formats', async () => {
    // A soft pull first, so that the consumer's file holds a soft inquiry a lender's report must leave out.
    assert.equal((await pull(pullBody(acme[0] as string))).status, 200);
    const inquiries: Profile['inquiry'] = [];
    for (const id of acme.slice(0, 25)) {
      const response = await pull<{ creditProfile: Profile[] }>(pullBody(id));
      assert.equal(response.status, 200);
      const [profile] = response.body.creditProfile;
      assert.ok(profile);
      assert.deepEqual(
        profile.riskModel.map((model) => model.modelIndicator),
        ['F9', 'V4'],
      );
      for (const model of profile.riskModel) {
        assert.match(model.score, /^\d{4}$/);
        assert.ok(Number(model.score) >= 300 && Number(model.score) <= 850, model.score);
        assert.ok(model.scoreFactors.length > 0);
      }
      assert.ok(profile.tradeline.length >= 1);
      for (const line of profile.tradeline) {
        assert.match(line.balanceAmount, /^\d{8}$/, 'whole dollars, zero-padded');
        assert.match(line.openDate, /^\d{8}$/, 'MMDDYYYY');
      }
      assert.match(profile.headerRecord[0]?.reportDate ?? '', /^\d{6}$/);
      inquiries.push(...profile.inquiry);
    }
    assertEvery(inquiries, (entry) => entry.type === 'H', 'lenders see hard inquiries only');
  });

  it('builds the same file from the same seed, and another from another seed', async () => {
    const twin = await createSandbox({ port: 0, anchorDate: '2026-11-24', latency: 'none' });
    const other = await createSandbox({ port: 0, anchorDate: '2026-11-24', latency: 'none', seed: 'another-seed' });
    try {
      const strip = (profile: Profile | undefined) => ({ ...profile, headerRecord: undefined });
      const files = async (target: Sandbox) =>
        Promise.all(
          acme
            .slice(0, 10)
            .map(async (id) =>
              strip((await pull<{ creditProfile: Profile[] }>(pullBody(id), credentials.acme.bureau, target)).body.creditProfile[0]),
            ),
        );
      const ours = await files(sandbox);
      assert.deepEqual(await files(twin), ours);
      // Another seed makes other customers; the first of them has a file unlike any of ours.
      const otherIds = (await allCustomers(other.url, credentials.acme.directory)).map((customer) => customer.id);
      const theirs = (await pull<{ creditProfile: Profile[] }>(pullBody(otherIds[0] as string), credentials.acme.bureau, other)).body
        .creditProfile[0];
      assert.ok(theirs);
      assert.ok(!ours.some((file) => JSON.stringify(file) === JSON.stringify(strip(theirs))));
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it('records a HARD inquiry that later reports show, keeps a SOFT one from lenders, and forgets both on reset', async () => {
    const id = acme[40] as string;
    const inquiries = async () => (await pull<{ creditProfile: Profile[] }>(pullBody(id))).body.creditProfile[0]?.inquiry ?? [];
    const seeded = await inquiries();
    assert.deepEqual(await inquiries(), seeded, 'soft pulls add nothing lenders see');
    const hard = await pull(pullBody(id, { inquiryType: 'HARD' }));
    assert.equal(hard.status, 200);
    const afterHard = await inquiries();
    assert.equal(afterHard.length, seeded.length + 1);
    const organisation = (await call<{ name: string }>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.acme.directory }))
      .body.name;
    assert.equal(afterHard[0]?.subscriberName, organisation.toUpperCase(), 'the newest inquiry first: ours');
    assert.equal(afterHard[0]?.type, 'H');
    const onFile = await call<{ inquiries: Array<{ type: string }> }>(`${sandbox.url}/_control/bureau/inquiries/${id}`);
    assert.deepEqual(
      onFile.body.inquiries.map((entry) => entry.type),
      ['S', 'S', 'H', 'S'],
    );
    await call(`${sandbox.url}/_control/reset`, { method: 'POST' });
    assert.deepEqual(await inquiries(), seeded);
  });

  it('answers 503 in its own error format when switched down', async () => {
    await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { down: true } });
    try {
      const response = await pull<BureauError>(pullBody(acme[0] as string));
      assert.equal(response.status, 503);
      assert.equal(response.body.errors[0]?.errorType, 'Service Unavailable');
    } finally {
      await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { down: false } });
    }
  });
});
