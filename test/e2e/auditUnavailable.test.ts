// The audit trail unavailable (issue 15): every service writes to the harness's PostgreSQL with a queue of two records;
// once the database is down and the gateway's sink has no room, a request for personal data is refused with
// UPSTREAM_UNAVAILABLE and reason AUDIT_UNAVAILABLE before anything runs, a public query still answers, and /readyz
// says not ready; once the database is back, the records that waited are written in their order, the chain verifies,
// and personal data is served again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { installAuditSchema, verifyTable } from '../../lib/audit/postgresSink.js';
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

  /** Waits until the gateway's record of this request is a row (bounded: the sink writes within a tick or two). */
  async function untilWritten(requestId: string): Promise<void> {
    const client = new pg.Client({ connectionString: harness.url });
    await client.connect();
    try {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        await stack.flushAudit();
        const { rowCount } = await client.query("SELECT 1 FROM audit_records WHERE stream = 'gateway' AND request_id = $1", [requestId]);
        if (rowCount === 1) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.fail(`no record of ${requestId} was written`);
    } finally {
      await client.end();
    }
  }

  const support = tokenFor({ role: 'support', tenant: 'acme' });
  const admin = tokenFor({ role: 'admin', tenant: 'acme' });
  const institutions = '{ institutions { id } }';

  it('refuses personal data with AUDIT_UNAVAILABLE while the sink has no room, and still answers a public query', async () => {
    const customers = await stack.graphql('{ customers(first: 1) { edges { node { id } } } }', { token: admin });
    const id = (customers.body.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id;
    assert.ok(id, 'a customer to ask for');
    const served = await stack.graphql(contractOperation('CustomerPII'), {
      token: admin,
      variables: { id },
      headers: { 'x-request-id': 'audit-before-outage' },
    });
    assert.equal(served.body.errors, undefined, 'served while the trail takes records');
    assert.equal((await fetch(stack.gatewayUrl.replace('/graphql', '/readyz'))).status, 200);

    // Every record so far written first (the last one is appended when its answer's connection event fires, just after
    // the answer): the queue's two places are then the outage's alone.
    await untilWritten('audit-before-outage');
    await harness.stop();
    // Public requests go on; their records cannot be written, and the queue fills (or the sink fails closed).
    for (let request = 0; request < 3; request += 1) {
      const answer = await stack.graphql(institutions, { token: support, headers: { 'x-request-id': `audit-outage-${request}` } });
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
    // The credit subgraph made no regulated call during the outage, so no write of its failed: its readiness probes
    // the store itself.
    assert.equal(stack.subgraphs.credit.audit?.writable, true, 'no write of its failed');
    assert.equal((await fetch(stack.subgraphUrls.credit?.replace('/graphql', '/readyz') as string)).status, 503);
  });

  it('writes the records that waited, in their order, once the database is back, and serves personal data again', async () => {
    await harness.restart();
    // The sink retries its head batch with a bounded back-off (at most 5 s between attempts): no clock to pass to a
    // whole stack here, so a bounded poll.
    for (let attempt = 0; attempt < 600 && !(stack.gatewayAudit.writable && stack.gatewayAudit.queued === 0); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(stack.gatewayAudit.writable && stack.gatewayAudit.queued === 0, 'the queue drained');
    assert.equal((await fetch(stack.gatewayUrl.replace('/graphql', '/readyz'))).status, 200, 'ready again');
    assert.equal((await fetch(stack.subgraphUrls.credit?.replace('/graphql', '/readyz') as string)).status, 200, 'the subgraph too');
    const client = new pg.Client({ connectionString: harness.url });
    await client.connect();
    try {
      const verified = await verifyTable(client, 'gateway');
      assert.ok(verified.ok, JSON.stringify(verified));
      const { rows } = await client.query<{ request_id: string; seq: string }>(
        "SELECT request_id, seq FROM audit_records WHERE stream = 'gateway' AND request_id LIKE 'audit-outage-%' ORDER BY seq",
      );
      // The queue held two: the first two outage requests' records waited and are written, in the order they came.
      assert.deepEqual(
        rows.map((row) => row.request_id),
        ['audit-outage-0', 'audit-outage-1'],
      );
    } finally {
      await client.end();
    }
    const customers = await stack.graphql('{ customers(first: 1) { edges { node { id } } } }', { token: admin });
    const id = (customers.body.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id;
    const served = await stack.graphql(contractOperation('CustomerPII'), { token: admin, variables: { id } });
    assert.equal(served.body.errors, undefined, JSON.stringify(served.body.errors));
  });
});
