// The audit trail unavailable (issue 15): every service writes to the harness's PostgreSQL with a queue of two records;
// once the database is down and the gateway's sink has no room, a request for personal data is refused with
// UPSTREAM_UNAVAILABLE and reason AUDIT_UNAVAILABLE before anything runs, a public query still answers, and /readyz
// says not ready. (That the queued records are written once the database is back needs the sinks' retry, which
// arrives with the audit library's next change.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { installAuditSchema } from '../../lib/audit/postgresSink.js';
import { contractOperation } from '../support/contract.js';
import { PostgresHarness } from '../support/postgres.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

describe('audit trail unavailable', () => {
  let harness: PostgresHarness;
  let stack: Stack;
  before(async () => {
    harness = await PostgresHarness.start();
    const admin = new pg.Client({ connectionString: harness.url });
    await admin.connect();
    try {
      await admin.query('CREATE ROLE audit_writer LOGIN');
      await installAuditSchema(admin, { writerRole: 'audit_writer' });
    } finally {
      await admin.end();
    }
    stack = await startStack({
      env: {
        AUDIT_SINK: 'postgres',
        AUDIT_DATABASE_URL: harness.url.replace('postgres@', 'audit_writer@'),
        AUDIT_QUEUE_MAX_RECORDS: '2',
      },
    });
  });
  after(async () => {
    // Back up first, so that the services' last flush has somewhere to go.
    await harness?.restart();
    await stack?.close();
    await harness?.close();
  });

  const support = tokenFor({ role: 'support', tenant: 'acme' });
  const admin = tokenFor({ role: 'admin', tenant: 'acme' });
  const institutions = '{ institutions { id } }';

  it('refuses personal data with AUDIT_UNAVAILABLE while the sink has no room, and still answers a public query', async () => {
    const customers = await stack.graphql('{ customers(first: 1) { edges { node { id } } } }', { token: admin });
    const id = (customers.body.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id;
    assert.ok(id, 'a customer to ask for');
    const served = await stack.graphql(contractOperation('CustomerPII'), { token: admin, variables: { id } });
    assert.equal(served.body.errors, undefined, 'served while the trail takes records');
    assert.equal((await fetch(stack.gatewayUrl.replace('/graphql', '/readyz'))).status, 200);

    await harness.stop();
    // Public requests go on; their records cannot be written, and the queue fills (or the sink fails closed).
    for (let request = 0; request < 3; request += 1) {
      const answer = await stack.graphql(institutions, { token: support });
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    }
    for (let attempt = 0; attempt < 250 && stack.gatewayAudit.hasRoom(); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(stack.gatewayAudit.hasRoom(), false, 'the sink has no room while its database is down');

    const refused = await stack.graphql(contractOperation('CustomerPII'), { token: admin, variables: { id } });
    assert.equal(refused.body.errors?.length, 1, JSON.stringify(refused.body));
    assert.deepEqual(
      {
        code: refused.body.errors?.[0]?.extensions?.code,
        reason: refused.body.errors?.[0]?.extensions?.reason,
      },
      { code: 'UPSTREAM_UNAVAILABLE', reason: 'AUDIT_UNAVAILABLE' },
    );
    assert.ok(!refused.body.data?.customer, 'no personal data served unaudited');

    const publicAnswer = await stack.graphql(institutions, { token: support });
    assert.equal(publicAnswer.body.errors, undefined, 'a public query still answers');
    assert.ok((publicAnswer.body.data?.institutions as unknown[]).length > 0);
    assert.equal((await fetch(stack.gatewayUrl.replace('/graphql', '/readyz'))).status, 503, 'not ready while the sink cannot write');
  });
});
