// The KYC provider in Onfido's v3.6 wire format: token auth, tenant isolation (404 for another tenant's ids),
// page/per_page lists with Link and X-Total-Count, Onfido's error object, checks and reports, and a check completed
// through the control API that sends a check.completed webhook signed with X-SHA2-Signature.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { KYC_DEV_WEBHOOK_TOKEN } from '../../sandbox/kyc/index.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { call } from './helpers.js';

interface Applicant {
  id: string;
  first_name: string;
  last_name: string;
  dob: string;
  id_numbers: Array<{ type: string; value: string }>;
  address: { country: string; postcode: string };
}
interface Check {
  id: string;
  status: string;
  result: string | null;
  applicant_id: string;
  report_ids: string[];
}

describe('kyc sandbox (Onfido v3.6)', () => {
  let sandbox: Sandbox;
  let receiver: Server;
  const received: Array<{ body: string; signature: string | undefined }> = [];
  const kyc = (path: string, tenant: 'acme' | 'globex' = 'acme') =>
    call<unknown>(`${sandbox.url}/kyc/v3.6${path}`, { headers: { authorization: `Token token=${credentials[tenant].kyc}` } });
  const control = (path: string, body?: unknown) =>
    call<unknown>(`${sandbox.url}/_control${path}`, body === undefined ? {} : { method: 'POST', body });

  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        const signature = request.headers['x-sha2-signature'];
        received.push({ body, signature: typeof signature === 'string' ? signature : undefined });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    sandbox = await createSandbox({
      port: 0,
      anchorDate: '2026-11-24',
      latency: 'none',
      webhookTargets: { kyc: `http://127.0.0.1:${port}/webhooks/kyc` },
    });
  });
  after(async () => {
    await sandbox.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("refuses a missing or wrong token, and a Bearer one, with Onfido's error object", async () => {
    for (const headers of [{}, { authorization: 'Token token=nope' }, { authorization: `Bearer ${credentials.acme.kyc}` }] as Array<
      Record<string, string>
    >) {
      const response = await call<{ error: { type: string; message: string; fields: object } }>(`${sandbox.url}/kyc/v3.6/applicants`, {
        headers,
      });
      assert.equal(response.status, 401);
      assert.equal(response.body.error.type, 'authorization_error');
      assert.deepEqual(response.body.error.fields, {});
    }
  });

  it('pages applicants with page/per_page, Link and X-Total-Count, each tenant its own', async () => {
    const first = await kyc('/applicants?per_page=50');
    const total = Number(first.headers.get('x-total-count'));
    assert.ok(total > 100);
    const seen: string[] = [];
    let next: string | undefined = `${sandbox.url}/kyc/v3.6/applicants?per_page=50`;
    while (next) {
      const page: Awaited<ReturnType<typeof call<{ applicants: Applicant[] }>>> = await call<{ applicants: Applicant[] }>(next, {
        headers: { authorization: `Token token=${credentials.acme.kyc}` },
      });
      assert.equal(page.status, 200);
      assert.ok(page.body.applicants.length <= 50);
      seen.push(...page.body.applicants.map((applicant) => applicant.id));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
      assert.ok(/rel="last"/.test(page.headers.get('link') ?? ''));
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    const globex = await kyc('/applicants?per_page=500', 'globex');
    const globexIds = (globex.body as { applicants: Applicant[] }).applicants.map((applicant) => applicant.id);
    assert.equal(globexIds.filter((id) => seen.includes(id)).length, 0);
    const bad = await kyc('/applicants?per_page=501');
    assert.equal(bad.status, 422);
    assert.equal((bad.body as { error: { type: string; fields: Record<string, string[]> } }).error.type, 'validation_error');
    assert.ok((bad.body as { error: { fields: Record<string, string[]> } }).error.fields.per_page);
  });

  it("serves an applicant's personal data to its own tenant only, and its checks and reports", async () => {
    const directory = await call<{ data: Array<{ id: string; display_name: string; kyc_applicant_id: string }> }>(
      `${sandbox.url}/directory/v1/customers?limit=5`,
      { token: credentials.acme.directory },
    );
    const customer = directory.body.data[0];
    assert.ok(customer);
    const applicant = await kyc(`/applicants/${customer.kyc_applicant_id}`);
    assert.equal(applicant.status, 200);
    const body = applicant.body as Applicant;
    assert.equal(`${body.first_name} ${body.last_name}`, customer.display_name);
    assert.match(body.dob, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(['GBR', 'USA'].includes(body.address.country));
    assert.ok(body.id_numbers.length === 1 && /^(ssn|tax_id)$/.test(body.id_numbers[0]?.type ?? ''));
    const foreign = await kyc(`/applicants/${customer.kyc_applicant_id}`, 'globex');
    assert.equal(foreign.status, 404);
    assert.equal((foreign.body as { error: { type: string } }).error.type, 'resource_not_found');

    const checks = await kyc(`/checks?applicant_id=${customer.kyc_applicant_id}`);
    const [check] = (checks.body as { checks: Check[] }).checks;
    assert.ok(check && check.applicant_id === customer.kyc_applicant_id);
    assert.ok(['in_progress', 'complete'].includes(check.status));
    assert.equal((await kyc(`/checks/${check.id}`, 'globex')).status, 404);
    const reports = (await kyc(`/reports?check_id=${check.id}`)).body as {
      reports: Array<{ id: string; name: string; result: string | null; check_id: string }>;
    };
    assert.deepEqual(
      reports.reports.map((report) => report.id),
      check.report_ids,
    );
    if (check.status === 'complete')
      assert.equal(
        reports.reports.some((report) => report.result === 'consider'),
        check.result === 'consider',
      );
    assert.equal((await kyc('/checks')).status, 422);
  });

  it('completes a running check through the control API and sends a signed check.completed webhook', async () => {
    const pending = (await control('/kyc/pending-checks')).body as {
      checks: Array<{ check_id: string; applicant_id: string; tenant: string }>;
    };
    const target = pending.checks.find((entry) => entry.tenant === 'acme');
    assert.ok(target);
    const before = (await kyc(`/checks/${target.check_id}`)).body as Check;
    assert.deepEqual([before.status, before.result], ['in_progress', null]);
    const done = await control(`/kyc/checks/${target.check_id}/complete`, { result: 'clear' });
    assert.equal(done.status, 200);
    await sandbox.outbox.idle();
    const event = received.find((entry) => entry.body.includes(target.check_id));
    assert.ok(event);
    assert.equal(event.signature, createHmac('sha256', KYC_DEV_WEBHOOK_TOKEN).update(event.body).digest('hex'));
    const payload = JSON.parse(event.body) as {
      payload: { resource_type: string; action: string; object: { id: string; status: string; completed_at_iso8601: string } };
    };
    assert.deepEqual(
      [payload.payload.resource_type, payload.payload.action, payload.payload.object.id],
      ['check', 'check.completed', target.check_id],
    );
    assert.ok(!Number.isNaN(Date.parse(payload.payload.object.completed_at_iso8601)));
    const afterwards = (await kyc(`/checks/${target.check_id}`)).body as Check;
    assert.deepEqual([afterwards.status, afterwards.result], ['complete', 'clear']);
    assert.equal((await control(`/kyc/checks/${target.check_id}/complete`, { result: 'clear' })).status, 409);
    assert.equal((await control(`/kyc/checks/${target.check_id}/complete`, { result: 'maybe' })).status, 400);
    await control('/reset', {});
    assert.equal(((await kyc(`/checks/${target.check_id}`)).body as Check).status, 'in_progress');
  });
});
