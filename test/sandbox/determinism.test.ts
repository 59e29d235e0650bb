// The same seed and anchor give byte-identical data from two independent sandboxes; another seed gives other data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { type CoreAccount, type CoreList, call, type ObAccount, type ObEnvelope, type Organisation } from './helpers.js';

const anchorDate = '2026-11-24';

describe('seeded data determinism', () => {
  let first: Sandbox;
  let second: Sandbox;
  let otherSeed: Sandbox;

  before(async () => {
    first = await createSandbox({ port: 0, seed: 'fingraph', anchorDate, latency: 'none' });
    second = await createSandbox({ port: 0, seed: 'fingraph', anchorDate, latency: 'none' });
    otherSeed = await createSandbox({ port: 0, seed: 'another-seed', anchorDate, latency: 'none' });
  });
  after(async () => {
    await Promise.all([first.close(), second.close(), otherSeed.close()]);
  });

  it('returns identical customer lists for the same seed and anchor, and different ones for another seed', async () => {
    const path = '/directory/v1/customers?limit=100';
    const key = credentials.acme.directory;
    const [a, b, c] = await Promise.all([first, second, otherSeed].map((s) => call<unknown>(`${s.url}${path}`, { token: key })));
    assert.equal(a?.status, 200);
    assert.equal(a?.text, b?.text);
    assert.notEqual(a?.text, c?.text);
  });

  it('returns identical transactions for one core account, whichever accounts were generated first', async () => {
    const key = credentials.globex.pacific;
    const transactionsOfFirstAccount = async (sandbox: Sandbox, warmUpOthers: boolean) => {
      const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.globex.directory });
      const link = org.body.bank_links.find((l) => l.institution_id === 'pacific');
      assert.ok(link && link.type === 'core_banking');
      const accounts = await call<CoreList<CoreAccount>>(`${sandbox.url}/core/pacific/v1/customers/${link.bank_customer_id}/accounts`, {
        token: key,
      });
      const [target, ...others] = accounts.body.data;
      assert.ok(target);
      // Generating other accounts' ledgers first must not shift this one's random stream.
      if (warmUpOthers)
        for (const other of others) await call(`${sandbox.url}/core/pacific/v1/accounts/${other.id}/transactions`, { token: key });
      return call<CoreList<unknown>>(`${sandbox.url}/core/pacific/v1/accounts/${target.id}/transactions?limit=100`, { token: key });
    };
    const [a, b] = [await transactionsOfFirstAccount(first, false), await transactionsOfFirstAccount(second, true)];
    assert.equal(a.status, 200);
    assert.equal(a.body.data.length, 100);
    assert.equal(a.text, b.text);
  });

  it('gives the same Open Banking accounts for the same seed (Links aside, which carry the port)', async () => {
    const read = async (sandbox: Sandbox) => {
      const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.acme.directory });
      const link = org.body.bank_links.find((l) => l.institution_id === 'albion');
      assert.ok(link && link.type === 'open_banking');
      return {
        link,
        accounts: await call<ObEnvelope<{ Account: ObAccount[] }>>(`${sandbox.url}/ob/albion/open-banking/v3.1/aisp/accounts`, {
          token: link.access_token,
        }),
      };
    };
    const a = await read(first);
    const b = await read(second);
    const c = await read(otherSeed);
    assert.equal(a.accounts.status, 200, a.accounts.text);
    assert.deepEqual(a.accounts.body.Data, b.accounts.body.Data);
    assert.notEqual(a.link.access_token, c.link.access_token);
  });
});
