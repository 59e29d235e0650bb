// Consent expiry is judged on the real clock unless the caller pins it: an anchor far in the past leaves every consent
// expired by now, and pinning consentClock to the anchor brings the seeded validity back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { call, type ObError, type OpenBankingLink, type Organisation } from './helpers.js';

const anchorDate = '2025-01-15';

describe('consent expiry clock', () => {
  let realClock: Sandbox;
  let pinnedClock: Sandbox;

  before(async () => {
    realClock = await createSandbox({ port: 0, anchorDate, latency: 'none' });
    pinnedClock = await createSandbox({ port: 0, anchorDate, latency: 'none', consentClock: () => Date.parse(`${anchorDate}T12:00:00Z`) });
  });
  after(() => Promise.all([realClock.close(), pinnedClock.close()]));

  const organisationAccounts = async (sandbox: Sandbox) => {
    const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.globex.directory });
    const link = org.body.bank_links.find((l): l is OpenBankingLink => l.type === 'open_banking' && l.institution_id === 'northwind');
    assert.ok(link);
    assert.equal(link.consent_expires_at, '2025-04-15T00:00:00Z', 'organisation consents run 90 days past the anchor');
    return call<ObError>(`${sandbox.url}/ob/northwind/open-banking/v3.1/aisp/accounts`, { token: link.access_token });
  };

  it('treats a consent that expired before today as expired, whatever the anchor', async () => {
    const result = await organisationAccounts(realClock);
    assert.equal(result.status, 403);
    assert.equal(result.body.Errors[0]?.ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
  });

  it('honours a pinned consent clock', async () => {
    assert.equal((await organisationAccounts(pinnedClock)).status, 200);
  });
});
