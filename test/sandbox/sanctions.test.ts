// The sanctions provider: an SDN-shaped list with near-matches of seeded customers, and fuzzy search that scores a
// near-match high, an exact name at 100, word order and accents as nothing, and unrelated names below the threshold.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { jaroWinkler, nameScore } from '../../sandbox/sanctions/matching.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { assertEvery } from '../support/assertions.js';
import { call } from './helpers.js';

interface Match {
  uid: number;
  name: string;
  score: number;
  programs: string[];
  list: string;
}
interface Entry {
  uid: number;
  firstName: string;
  lastName: string;
  sdnType: string;
  programList: { program: string[] };
  akaList: { aka: unknown[] };
}

describe('sanctions sandbox', () => {
  let sandbox: Sandbox;
  const search = (body: Record<string, unknown>) =>
    call<{ matches: Match[] }>(`${sandbox.url}/sanctions/v1/search`, { method: 'POST', body, token: credentials.acme.sanctions });
  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate: '2026-11-24', latency: 'none' });
  });
  after(async () => {
    await sandbox.close();
  });

  it('scores names by Jaro-Winkler over words, in any order, without case or accents', () => {
    assert.equal(jaroWinkler('martha', 'marhta').toFixed(3), '0.961');
    assert.equal(jaroWinkler('dixon', 'dicksonx').toFixed(3), '0.813');
    assert.equal(nameScore('Olivia Smith', 'SMITH, Olivia'), 100);
    assert.equal(nameScore('Zoë Müller', 'zoe muller'), 100);
    assert.ok(nameScore('Olivia Smith', 'Olivia SMYTH') >= 90);
    assert.ok(nameScore('Olivia Smith', 'Hector ZAMBRANO RUIZ') < 60);
  });

  it('lists SDN-shaped entries, some close to seeded customers, and finds them by a fuzzy search', async () => {
    const list = await call<{ publishInformation: { Record_Count: number }; sdnEntry: Entry[] }>(`${sandbox.url}/sanctions/v1/sdn`, {
      token: credentials.globex.sanctions,
    });
    assert.equal(list.status, 200);
    assert.equal(list.body.publishInformation.Record_Count, list.body.sdnEntry.length);
    assertEvery(list.body.sdnEntry, (entry) => entry.uid > 0 && entry.programList.program.length > 0 && Array.isArray(entry.akaList.aka));
    const near = (
      await call<{ nearMatches: Array<{ uid: number; customerId: string; tenant: 'acme' | 'globex' }> }>(
        `${sandbox.url}/_control/sanctions/near-matches`,
      )
    ).body.nearMatches;
    assert.ok(near.some((entry) => entry.tenant === 'acme') && near.some((entry) => entry.tenant === 'globex'));
    for (const entry of near) {
      const customer = await call<{ display_name: string }>(`${sandbox.url}/directory/v1/customers/${entry.customerId}`, {
        token: credentials[entry.tenant].directory,
      });
      const listed = list.body.sdnEntry.find((candidate) => candidate.uid === entry.uid) as Entry;
      assert.notEqual(
        `${listed.firstName} ${listed.lastName}`.toLowerCase(),
        customer.body.display_name.toLowerCase(),
        'near, not the same',
      );
      const found = await search({ name: customer.body.display_name });
      const hit = found.body.matches.find((match) => match.uid === entry.uid);
      assert.ok(hit && hit.score >= 85 && hit.score < 100, `${customer.body.display_name}: ${JSON.stringify(found.body.matches)}`);
      assert.equal(hit.list, 'SDN');
      assert.deepEqual(
        found.body.matches.map((match) => match.score),
        [...found.body.matches.map((match) => match.score)].sort((a, b) => b - a),
      );
    }
    assert.deepEqual((await search({ name: 'Completely Unrelated Person' })).body.matches, []);
    assert.equal((await search({ name: 'Orient Star Maritime LLC', type: 'entity' })).body.matches[0]?.score, 100);
    assert.deepEqual((await search({ name: 'Orient Star Maritime LLC', type: 'individual' })).body.matches, []);
  });

  it('refuses bad parameters, a name in the query string, and a missing key', async () => {
    assert.equal((await search({ name: 'x' })).status, 400);
    assert.equal((await search({ name: 'Olivia', min_score: 101 })).status, 400);
    assert.equal((await search({ name: 'Olivia', min_score: 85.5 })).status, 400);
    assert.equal((await search({ name: 'Olivia', type: 'vessel' })).status, 400);
    assert.equal((await search({})).status, 400);
    assert.equal(
      (
        await call(`${sandbox.url}/sanctions/v1/search`, {
          method: 'POST',
          token: credentials.acme.sanctions,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      400,
    );
    // Search is POST only: a name must not travel in a URL.
    assert.equal((await call(`${sandbox.url}/sanctions/v1/search?name=Olivia`, { token: credentials.acme.sanctions })).status, 404);
    assert.equal((await call(`${sandbox.url}/sanctions/v1/search`, { method: 'POST', body: { name: 'Olivia' } })).status, 401);
  });
});
