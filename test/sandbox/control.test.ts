// The control API: down, failure share and added latency per provider, call counters, consent expiry and reset.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { assertEvery } from '../support/assertions.js';
import { type CoreError, call, type ObError, type OpenBankingLink, type Organisation, type StripeError, utcToday } from './helpers.js';

type Calls = Record<string, Record<string, number>>;

describe('control API', () => {
  let sandbox: Sandbox;
  let orgLink: OpenBankingLink;
  const control = (path: string, body?: unknown) => call<unknown>(`${sandbox.url}/_control${path}`, { method: 'POST', body: body ?? {} });
  const calls = async () => (await call<Calls>(`${sandbox.url}/_control/calls`)).body;
  const lakeside = (path: string) => call<CoreError>(`${sandbox.url}/core/lakeside/v1${path}`, { token: credentials.acme.lakeside });

  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate: utcToday(), latency: 'none' });
    const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.acme.directory });
    const link = org.body.bank_links.find((l): l is OpenBankingLink => l.type === 'open_banking' && l.institution_id === 'albion');
    assert.ok(link);
    orgLink = link;
  });
  beforeEach(async () => {
    assert.equal((await control('/reset')).status, 200);
  });
  after(() => sandbox.close());

  it('counts calls per provider under route templates, not control or health calls', async () => {
    await lakeside('/balances?account_ids=acct_x');
    await lakeside('/balances?account_ids=acct_y');
    await lakeside('/accounts/acct_x/transactions');
    await lakeside('/customers/LK1/accounts');
    await call(`${sandbox.url}/ob/albion/open-banking/v3.1/aisp/accounts`, { token: orgLink.access_token });
    await call(`${sandbox.url}/fx/ecb/eurofxref-daily.xml`);
    await call(`${sandbox.url}/healthz`);
    const counted = await calls();
    assert.deepEqual(counted.lakeside, {
      'GET /balances': 2,
      'GET /accounts/{id}/transactions': 1,
      'GET /customers/{bank_customer_id}/accounts': 1,
    });
    assert.deepEqual(counted.albion, { 'GET /accounts': 1 });
    assert.deepEqual(counted.ecb, { 'GET /eurofxref-daily.xml': 1 });
    assert.deepEqual(counted.directory, {}, 'the directory call in before() was cleared by the reset');
  });

  it('makes a provider down with 503 in its own format, still counting the calls', async () => {
    await control('/providers/lakeside', { down: true });
    await control('/providers/albion', { down: true });
    await control('/providers/directory', { down: true });
    const core = await lakeside('/balances?account_ids=acct_x');
    assert.equal(core.status, 503);
    assert.equal(core.body.error.code, 'unavailable');
    const ob = await call<ObError>(`${sandbox.url}/ob/albion/open-banking/v3.1/aisp/accounts`, {
      token: orgLink.access_token,
      headers: { 'x-fapi-interaction-id': 'down-1' },
    });
    assert.equal(ob.status, 503);
    assert.equal(ob.body.Errors[0]?.ErrorCode, 'UK.OBIE.UnexpectedError');
    assert.equal(ob.headers.get('x-fapi-interaction-id'), 'down-1');
    const directory = await call<StripeError>(`${sandbox.url}/directory/v1/customers`, { token: credentials.acme.directory });
    assert.equal(directory.status, 503);
    assert.equal(directory.body.error.type, 'api_error');
    const ecb = await call<string>(`${sandbox.url}/fx/ecb/eurofxref-daily.xml`);
    assert.equal(ecb.status, 200, 'other providers are unaffected');
    assert.equal((await calls()).lakeside?.['GET /balances'], 1);
    await control('/providers/lakeside', { down: false });
    assert.equal((await lakeside('/balances?account_ids=acct_x')).status, 200);
  });

  it('fails the configured share of calls with 500', async () => {
    await control('/providers/pacific', { failureRate: 1 });
    const failing = await call<CoreError>(`${sandbox.url}/core/pacific/v1/balances?account_ids=acct_x`, {
      token: credentials.acme.pacific,
    });
    assert.equal(failing.status, 500);
    assert.equal(failing.body.error.code, 'internal_error');
    await control('/providers/pacific', { failureRate: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, () =>
        call(`${sandbox.url}/core/pacific/v1/balances?account_ids=acct_x`, { token: credentials.acme.pacific }).then((r) => r.status),
      ),
    );
    const failures = statuses.filter((s) => s === 500).length;
    assert.ok(failures > 5 && failures < 55, `${failures} of 60 failed at rate 0.5`);
    assert.equal((await calls()).pacific?.['GET /balances'], 61);
  });

  it('adds a fixed latency to one provider only', async () => {
    await control('/providers/ecb', { latencyMs: 250 });
    const slowStart = performance.now();
    assert.equal((await call(`${sandbox.url}/fx/ecb/eurofxref-daily.xml`)).status, 200);
    const slow = performance.now() - slowStart;
    assert.ok(slow >= 245, `ecb took ${slow.toFixed(0)} ms`);
    // The other providers keep no added latency (read from the settings: an upper bound on time would be a guess).
    const settings = (await call<Record<string, { latencyMs: number }>>(`${sandbox.url}/_control/providers`)).body;
    assert.equal(settings.ecb?.latencyMs, 250);
    assertEvery(Object.entries(settings), ([provider, entry]) => provider === 'ecb' || entry.latencyMs === 0);
  });

  it('rejects bad behaviour bodies and unknown providers', async () => {
    assert.equal((await control('/providers/lakeside', { failureRate: 2 })).status, 400);
    assert.equal((await control('/providers/lakeside', { down: 'yes' })).status, 400);
    assert.equal((await control('/providers/lakeside', { slow: true })).status, 400);
    assert.equal((await control('/providers/nosuchbank', { down: true })).status, 404);
  });

  it('expires and restores a consent, and reset undoes an expiry', async () => {
    const accounts = `${sandbox.url}/ob/albion/open-banking/v3.1/aisp/accounts`;
    assert.equal((await call(accounts, { token: orgLink.access_token })).status, 200);
    const expired = await control(`/consents/${orgLink.consent_id}/expire`);
    assert.equal(expired.status, 200);
    assert.equal((expired.body as { expired: boolean }).expired, true);
    const refused = await call<ObError>(accounts, { token: orgLink.access_token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.Errors[0]?.ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
    assert.equal((await control(`/consents/${orgLink.consent_id}/restore`)).status, 200);
    assert.equal((await call(accounts, { token: orgLink.access_token })).status, 200);
    await control(`/consents/${orgLink.consent_id}/expire`);
    await control('/reset');
    assert.equal((await call(accounts, { token: orgLink.access_token })).status, 200);
    assert.equal((await control('/consents/aac-unknown/expire')).status, 404);
  });

  it('resets behaviour and counters to the seeded state', async () => {
    await control('/providers/northwind', { down: true, latencyMs: 5, failureRate: 0.2 });
    await call(`${sandbox.url}/ob/northwind/open-banking/v3.1/aisp/accounts`);
    assert.equal((await calls()).northwind?.['GET /accounts'], 1);
    await control('/reset');
    const after = await calls();
    assert.deepEqual(after.northwind, {});
    const settings = await call<Record<string, unknown>>(`${sandbox.url}/_control/providers`);
    assert.deepEqual(settings.body.northwind, { down: false, latencyMs: 0, failureRate: 0 });
  });
});
