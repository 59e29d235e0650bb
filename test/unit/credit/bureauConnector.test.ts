// The bureau connector against the sandbox bureau (a real HTTP server): each purpose reaches the bureau as a code it
// accepts, the answer is translated (score, model, whole-dollar balances, MMDDYYYY dates, reason texts), a customer the
// bureau does not know is NOT_FOUND, and a bureau that is down or a tenant without a key is UPSTREAM_UNAVAILABLE.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FinGraphError } from '../../../lib/errors/index.js';
import { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { formatAmount } from '../../../lib/money/index.js';
import { credentials } from '../../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../../sandbox/server.js';
import { BureauConnector } from '../../../subgraphs/credit/connectors/bureau.js';
import { permissiblePurposes } from '../../../subgraphs/credit/domain.js';
import { allCustomers, call } from '../../sandbox/helpers.js';

interface RawProfile {
  riskModel: Array<{ modelIndicator: string; score: string }>;
  tradeline: Array<{ subscriberName: string; balanceAmount: string; openDate: string }>;
}

describe('bureau connector', () => {
  let sandbox: Sandbox;
  let connector: BureauConnector;
  let ids: string[];
  before(async () => {
    sandbox = await createSandbox({ port: 0, latency: 'none' });
    connector = new BureauConnector(
      new UpstreamClient({ provider: 'bureau', baseUrl: `${sandbox.url}/bureau`, timeoutMs: 2000 }),
      (tenant) => (tenant === 'acme' ? credentials.acme.bureau : undefined),
    );
    ids = (await allCustomers(sandbox.url, credentials.acme.directory)).map((customer) => customer.id);
  });
  after(() => sandbox.close());

  async function raw(id: string, model: string): Promise<RawProfile> {
    const response = await call<{ creditProfile: RawProfile[] }>(`${sandbox.url}/bureau/consumerservices/credit-profile/v2/credit-report`, {
      method: 'POST',
      token: credentials.acme.bureau,
      body: {
        consumerPii: { primaryApplicant: { customerReference: id } },
        permissiblePurpose: { type: '08' },
        inquiryType: 'SOFT',
        addOns: { riskModels: { modelIndicator: [model] } },
      },
    });
    return response.body.creditProfile[0] as RawProfile;
  }

  it('pulls for every purpose with a code the bureau accepts', async () => {
    for (const purpose of permissiblePurposes) {
      const file = await connector.pull({ tenant: 'acme', customerId: ids[0] as string, purpose, inquiry: 'SOFT', model: 'FICO_8' });
      assert.equal(file.bureau, 'EXPERIAN', purpose);
    }
  });

  it('translates the bureau’s answer into the domain for both models', async () => {
    for (const [model, indicator] of [
      ['FICO_8', 'F9'],
      ['VANTAGESCORE_4', 'V4'],
    ] as const) {
      const id = ids[3] as string;
      const truth = await raw(id, indicator);
      const file = await connector.pull({ tenant: 'acme', customerId: id, purpose: 'ACCOUNT_REVIEW', inquiry: 'SOFT', model });
      assert.equal(file.score.model, model);
      assert.equal(file.score.score, Number(truth.riskModel[0]?.score));
      assert.ok(
        file.score.factors.length > 0 && file.score.factors.every((factor) => !/^Reason code/.test(factor)),
        'every reason code is known',
      );
      assert.deepEqual(
        file.tradelines.map((line) => line.balance && formatAmount(line.balance)),
        truth.tradeline.map((line) => `${Number(line.balanceAmount)}.00`),
      );
      assert.deepEqual(
        file.tradelines.map((line) => line.openedOn),
        truth.tradeline.map((line) => `${line.openDate.slice(4)}-${line.openDate.slice(0, 2)}-${line.openDate.slice(2, 4)}`),
      );
      assert.ok(Math.abs(Date.parse(file.pulledAt) - Date.now()) < 3_600_000, 'pulledAt is the bureau’s report time');
    }
  });

  it('maps a consumer the bureau does not know to NOT_FOUND, and an outage or a missing key to UPSTREAM_UNAVAILABLE', async () => {
    const isCode = (code: string) => (error: unknown) => error instanceof FinGraphError && error.code === code;
    await assert.rejects(
      connector.pull({ tenant: 'acme', customerId: 'cus_0000000000000000', purpose: 'ACCOUNT_REVIEW', inquiry: 'SOFT', model: 'FICO_8' }),
      isCode('NOT_FOUND'),
    );
    await assert.rejects(
      connector.pull({ tenant: 'globex', customerId: ids[0] as string, purpose: 'ACCOUNT_REVIEW', inquiry: 'SOFT', model: 'FICO_8' }),
      isCode('UPSTREAM_UNAVAILABLE'),
    );
    await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { down: true } });
    try {
      await assert.rejects(
        connector.pull({ tenant: 'acme', customerId: ids[0] as string, purpose: 'ACCOUNT_REVIEW', inquiry: 'SOFT', model: 'FICO_8' }),
        isCode('UPSTREAM_UNAVAILABLE'),
      );
    } finally {
      await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { down: false } });
    }
  });

  it('gives up on a bureau slower than its deadline with UPSTREAM_TIMEOUT', async () => {
    const impatient = new BureauConnector(
      new UpstreamClient({ provider: 'bureau', baseUrl: `${sandbox.url}/bureau`, timeoutMs: 100 }),
      () => credentials.acme.bureau,
    );
    await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { latencyMs: 1000 } });
    try {
      await assert.rejects(
        impatient.pull({ tenant: 'acme', customerId: ids[0] as string, purpose: 'ACCOUNT_REVIEW', inquiry: 'SOFT', model: 'FICO_8' }),
        (error: unknown) => error instanceof FinGraphError && error.code === 'UPSTREAM_TIMEOUT' && error.extensions.provider === 'bureau',
      );
    } finally {
      await call(`${sandbox.url}/_control/providers/bureau`, { method: 'POST', body: { latencyMs: 0 } });
    }
  });
});
