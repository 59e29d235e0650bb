// The identity subgraph through the gateway, checked against the providers' own APIs: personal data only with
// pii:read (the masked tax id never shows more than four digits, whoever asks), sanctions hits for the seeded
// near-matches and none for a clean name, KYC status that moves on a signed check.completed webhook and not on a
// forged one, batched entity resolution, and the row rules (own customer only for a customer token, own tenant only).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import { KYC_DEV_WEBHOOK_TOKEN } from '../../sandbox/kyc/index.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

interface DirectoryCustomer {
  id: string;
  display_name: string;
  email: string;
  kyc_applicant_id: string;
}
interface Applicant {
  id: string;
  dob: string;
  phone_number: string;
  id_numbers: Array<{ type: string; value: string }>;
  address: {
    flat_number: string | null;
    building_number: string;
    street: string;
    town: string;
    state: string | null;
    postcode: string;
    country: string;
  };
}
interface Kyc {
  status: string;
  checkedAt: string | null;
  provider: string;
  reasons: string[];
}

const KYC = 'query ($id: ID!) { customer(id: $id) { id kyc { status checkedAt provider reasons } } }';
const SANCTIONS =
  'query ($id: ID!) { customer(id: $id) { id displayName sanctions { status screenedAt matches { name score listEntryId programs list } } } }';
const MASKED = 'query ($id: ID!) { customer(id: $id) { id maskedTaxId } }';
const codes = (response: GraphQLResponse) => (response.body.errors ?? []).map((error) => error.extensions?.code);

describe('identity', () => {
  let stack: Stack;
  let acme: DirectoryCustomer[];
  let globex: DirectoryCustomer[];
  const admin = () => tokenFor({ role: 'admin', tenant: 'acme' });
  const support = () => tokenFor({ role: 'support', tenant: 'acme' });

  async function directory(tenant: string): Promise<DirectoryCustomer[]> {
    const all: DirectoryCustomer[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await stack.upstream(
        `/directory/v1/customers?limit=100${after ? `&starting_after=${after}` : ''}`,
        credentials[tenant]?.directory as string,
      )) as { data: DirectoryCustomer[]; has_more: boolean };
      all.push(...page.data);
      if (!page.has_more) return all;
      after = all.at(-1)?.id;
    }
  }

  /** A GET on the KYC provider as Onfido is called: Authorization: Token token=<key>. */
  async function onfido<T>(path: string, tenant = 'acme'): Promise<T> {
    const response = await fetch(`${stack.sandboxUrl}/kyc/v3.6${path}`, {
      headers: { authorization: `Token token=${credentials[tenant]?.kyc as string}` },
    });
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  }

  /** What the provider's own API says the status is (the newest check; reports for one that asks for review). */
  async function providerStatus(applicantId: string): Promise<string> {
    const { checks } = await onfido<{ checks: Array<{ status: string; result: string | null }> }>(`/checks?applicant_id=${applicantId}`);
    const [latest] = checks;
    if (!latest) return 'NOT_STARTED';
    if (latest.status !== 'complete') return 'PENDING';
    return latest.result === 'consider' ? 'CONSIDER' : 'CLEAR';
  }

  const customerOf = (id: string) => acme.find((entry) => entry.id === id) as DirectoryCustomer;
  const webhookUrl = () => `${new URL(stack.subgraphUrls.identity as string).origin}/webhooks/kyc`;
  const postWebhook = (body: string, signature: string | undefined) =>
    fetch(webhookUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-sha2-signature': signature }) },
      body,
    });
  const checkCompleted = (checkId: string) =>
    JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id: checkId,
          status: 'complete',
          completed_at_iso8601: new Date().toISOString(),
          href: `https://api.onfido.com/v3.6/checks/${checkId}`,
        },
      },
    });
  const sign = (body: string, token = KYC_DEV_WEBHOOK_TOKEN) => createHmac('sha256', token).update(body).digest('hex');

  async function kycOf(id: string, token = support()): Promise<Kyc> {
    const response = await stack.graphql(KYC, { token, variables: { id } });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    return (response.body.data?.customer as { kyc: Kyc }).kyc;
  }

  async function pendingChecks(tenant = 'acme') {
    const { checks } = (await stack.control('/kyc/pending-checks')) as {
      checks: Array<{ check_id: string; applicant_id: string; customer_id: string; tenant: string }>;
    };
    return checks.filter((check) => check.tenant === tenant);
  }

  before(async () => {
    // One test sends 35 aliased customers at once to prove the directory batches them: over the default shape limits
    // (test/e2e/edgeLimits.test.ts), raised here so that batching is what it measures.
    stack = await startStack({ env: { GATEWAY_MAX_ALIASES: '50', GATEWAY_MAX_ROOT_FIELDS: '50' } });
    [acme, globex] = await Promise.all([directory('acme'), directory('globex')]);
  });
  after(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    // A test below switches the KYC webhook off: every test starts with the identity service's endpoint registered.
    await stack.control('/webhooks/kyc', { url: webhookUrl() });
  });

  it('serves CustomerPII with pii:read exactly as the KYC provider holds it', async () => {
    const customer = acme[3] as DirectoryCustomer;
    const response = await stack.graphql(contractOperation('CustomerPII'), { token: admin(), variables: { id: customer.id } });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const applicant = await onfido<Applicant>(`/applicants/${customer.kyc_applicant_id}`);
    const data = response.body.data?.customer as {
      id: string;
      dateOfBirth: string;
      taxId: string;
      address: { line1: string; city: string; postalCode: string; country: string };
      accounts: Array<{ accountNumber: string | null }>;
    };
    assert.equal(data.id, customer.id);
    assert.equal(data.dateOfBirth, applicant.dob);
    assert.equal(data.taxId, applicant.id_numbers[0]?.value);
    assert.equal(data.address.city, applicant.address.town);
    assert.equal(data.address.postalCode, applicant.address.postcode);
    assert.equal(data.address.country, applicant.address.country.slice(0, 2));
    assert.ok(data.address.line1.includes(applicant.address.street) && data.address.line1.includes(applicant.address.building_number));
    assert.ok(data.accounts.length > 0 && data.accounts.every((account) => typeof account.accountNumber === 'string'));
  });

  it('nulls every personal field of CustomerPII with FORBIDDEN without pii:read, and calls no KYC provider for them', async () => {
    const customer = acme[4] as DirectoryCustomer;
    const response = await stack.graphql(contractOperation('CustomerPII'), { token: support(), variables: { id: customer.id } });
    const data = response.body.data?.customer as {
      id: string;
      dateOfBirth: unknown;
      taxId: unknown;
      address: unknown;
      accounts: Array<{ id: string; accountNumber: unknown }>;
    };
    assert.equal(data.id, customer.id);
    assert.equal(data.dateOfBirth, null);
    assert.equal(data.taxId, null);
    assert.equal(data.address, null);
    assert.ok(data.accounts.length > 0 && data.accounts.every((account) => account.accountNumber === null));
    assert.ok(codes(response).length >= 3 && codes(response).every((code) => code === 'FORBIDDEN'));
    const paths = (response.body.errors ?? []).map((error) => (error.path ?? []).join('.'));
    for (const field of ['dateOfBirth', 'taxId', 'address'])
      assert.ok(paths.includes(`customer.${field}`), `${field} refused at its path: ${paths.join(', ')}`);
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.deepEqual(calls.kyc, {}, 'personal data refused before any read of it');
    const applicant = await onfido<Applicant>(`/applicants/${customer.kyc_applicant_id}`);
    const text = JSON.stringify(response.body);
    for (const secret of [applicant.dob, applicant.id_numbers[0]?.value as string, applicant.address.postcode])
      assert.ok(!text.includes(secret));
  });

  it('masks the tax id to its last four digits at most, for every token that may see it', async () => {
    const sample = acme.slice(0, 12);
    for (const customer of sample) {
      const applicant = await onfido<Applicant>(`/applicants/${customer.kyc_applicant_id}`);
      const digits = (applicant.id_numbers[0]?.value ?? '').replace(/\D/g, '');
      for (const token of [
        admin(),
        support(),
        tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id }),
        tokenFor({ role: 'risk', tenant: 'acme' }),
      ]) {
        const response = await stack.graphql(MASKED, { token, variables: { id: customer.id } });
        assert.equal(response.body.errors, undefined);
        const masked = (response.body.data?.customer as { maskedTaxId: string }).maskedTaxId;
        assert.ok((masked.match(/\d/g) ?? []).length <= 4, masked);
        assert.ok(masked.endsWith(digits.slice(-4)), `${masked} ends with the last four digits`);
        assert.ok(!masked.includes(digits.slice(0, 5)));
      }
    }
    const logs = stack.rawLogs.join('\n');
    for (const customer of sample.slice(0, 3)) {
      const applicant = await onfido<Applicant>(`/applicants/${customer.kyc_applicant_id}`);
      assert.ok(!logs.includes(applicant.id_numbers[0]?.value as string), 'no tax id in any log line');
    }
  });

  it('reports a potential sanctions match for a seeded near-match name, and none for a clean name', async () => {
    const { nearMatches } = (await stack.control('/sanctions/near-matches')) as {
      nearMatches: Array<{ uid: number; customerId: string; tenant: string }>;
    };
    const near = nearMatches.find((entry) => entry.tenant === 'acme');
    assert.ok(near, 'the list holds a near-match of an acme customer');
    const hit = await stack.graphql(SANCTIONS, { token: support(), variables: { id: near.customerId } });
    assert.equal(hit.body.errors, undefined, JSON.stringify(hit.body.errors));
    const screening = (
      hit.body.data?.customer as {
        sanctions: {
          status: string;
          matches: Array<{ name: string; score: number; listEntryId: string; programs: string[]; list: string }>;
        };
      }
    ).sanctions;
    assert.equal(screening.status, 'POTENTIAL_MATCH');
    // The name screened went in a POST body: no search reached the service by GET, whose URL would carry the name.
    const calls = ((await stack.control('/calls')) as Record<string, Record<string, number>>).sanctions ?? {};
    assert.ok((calls['POST /v1/search'] ?? 0) > 0, JSON.stringify(calls));
    assert.equal(calls['GET *'], undefined, JSON.stringify(calls));
    const match = screening.matches.find((entry) => entry.listEntryId === String(near.uid));
    assert.ok(match, `entry ${near.uid} among ${JSON.stringify(screening.matches)}`);
    assert.ok(match.score >= 85 && match.score < 100, `a near, not exact, match: ${match.score}`);
    assert.ok(match.programs.length > 0 && match.list === 'SDN');
    const { sdnEntry } = (await stack.upstream('/sanctions/v1/sdn', credentials.acme?.sanctions as string)) as {
      sdnEntry: Array<{ uid: number; lastName: string }>;
    };
    const entry = sdnEntry.find((candidate) => candidate.uid === near.uid);
    assert.ok(entry && match.name.startsWith(entry.lastName));
    assert.notEqual(entry.lastName.toLowerCase(), customerOf(near.customerId).display_name.split(' ').at(-1)?.toLowerCase());

    // A clean name: one the screening service itself finds nothing for.
    let clean: DirectoryCustomer | undefined;
    for (const candidate of acme) {
      const search = (await stack.upstream('/sanctions/v1/search', credentials.acme?.sanctions as string, {
        name: candidate.display_name,
        type: 'individual',
      })) as { matches: unknown[] };
      if (search.matches.length === 0) {
        clean = candidate;
        break;
      }
    }
    assert.ok(clean);
    const none = await stack.graphql(SANCTIONS, { token: support(), variables: { id: clean.id } });
    assert.deepEqual((none.body.data?.customer as { sanctions: { status: string; matches: unknown[] } }).sanctions.status, 'CLEAR');
    assert.deepEqual((none.body.data?.customer as { sanctions: { matches: unknown[] } }).sanctions.matches, []);
  });

  it('moves KYC status when the provider sends a signed check.completed webhook', async () => {
    const [pending] = await pendingChecks();
    assert.ok(pending);
    const before = await kycOf(pending.customer_id);
    assert.equal(before.status, 'PENDING');
    assert.equal(before.checkedAt, null);
    // Cached now: only the webhook can make the next read ask the provider again within the KYC freshness.
    await stack.control(`/kyc/checks/${pending.check_id}/complete`, { result: 'consider' });
    await stack.sandbox.outbox.idle();
    const delivery = (
      (await stack.control('/webhooks')) as { deliveries: Array<{ provider: string; eventId: string; delivered: boolean; status: number }> }
    ).deliveries.find((entry) => entry.provider === 'kyc' && entry.eventId.includes(pending.check_id));
    assert.deepEqual([delivery?.delivered, delivery?.status], [true, 200]);
    const afterwards = await kycOf(pending.customer_id);
    assert.equal(afterwards.status, await providerStatus(pending.applicant_id));
    assert.equal(afterwards.status, 'CONSIDER');
    assert.ok(afterwards.checkedAt !== null && afterwards.reasons.length > 0);
    assert.equal(afterwards.provider, 'onfido');
  });

  it('refuses a forged check.completed webhook with 400 and changes nothing; the genuine one then does', async () => {
    const [, pending] = await pendingChecks();
    assert.ok(pending);
    assert.equal((await kycOf(pending.customer_id)).status, 'PENDING');
    // The provider completes the check, but its webhook goes nowhere: the cached PENDING stands until a valid event.
    await stack.control('/webhooks/kyc', { url: null });
    await stack.control(`/kyc/checks/${pending.check_id}/complete`, { result: 'clear' });
    assert.equal(await providerStatus(pending.applicant_id), 'CLEAR');
    const body = checkCompleted(pending.check_id);
    const forgeries: Array<string | undefined> = [
      sign(body, 'not-the-webhook-token-at-all'),
      undefined,
      sign(`${body} `),
      'a'.repeat(64),
      sign(body).slice(0, 63),
      `sha256=${sign(body)}`,
    ];
    for (const signature of forgeries) {
      const response = await postWebhook(body, signature);
      assert.equal(response.status, 400, String(signature));
      assert.equal((await kycOf(pending.customer_id)).status, 'PENDING', 'a forged event changes nothing');
    }
    const genuine = await postWebhook(body, sign(body));
    assert.equal(genuine.status, 200);
    const now = await kycOf(pending.customer_id);
    assert.equal(now.status, 'CLEAR');
    assert.deepEqual(now.reasons, []);
    // A replay is harmless: the status is read from the provider again, and it has not changed.
    assert.equal((await postWebhook(body, sign(body))).status, 200);
    assert.equal((await kycOf(pending.customer_id)).status, 'CLEAR');
  });

  it("resolves many customers' entities with one directory call", async () => {
    const sample = acme.slice(10, 45);
    const key = deriveSubgraphKey(testKeys.internalSecret, 'identity');
    const internal = signInternalToken(
      key,
      'identity',
      { sub: 'staff-1', tenant: 'acme', customerId: undefined, scopes: ['profile:read'], amr: [] },
      'req-entities-0001',
    );
    const entities =
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id displayName email } } }';
    const response = await stack.graphql(entities, {
      url: stack.subgraphUrls.identity,
      headers: { 'x-fingraph-principal': internal },
      variables: {
        representations: [
          ...sample.map((entry) => ({ __typename: 'Customer', id: entry.id })),
          { __typename: 'Customer', id: globex[0]?.id },
        ],
      },
    });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const resolved = response.body.data?._entities as Array<{ id: string; displayName: string; email: string } | null>;
    assert.deepEqual(
      resolved.slice(0, -1).map((entry) => [entry?.id, entry?.displayName, entry?.email]),
      sample.map((entry) => [entry.id, entry.display_name, entry.email]),
    );
    assert.equal(resolved.at(-1), null, "another tenant's customer does not resolve");
    let calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.equal(calls.directory?.['GET /customers'], 1, `${sample.length + 1} representations, one ?ids= call`);

    // The same through the gateway, for customers named in many root fields of one query.
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    const aliased = `query { ${sample.map((entry, index) => `c${index}: customer(id: "${entry.id}") { id displayName }`).join(' ')} }`;
    const viaGateway = await stack.graphql(aliased, { token: support() });
    assert.equal(viaGateway.body.errors, undefined);
    assert.deepEqual(
      Object.values(viaGateway.body.data ?? {}).map((entry) => (entry as { displayName: string }).displayName),
      sample.map((entry) => entry.display_name),
    );
    calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.equal(calls.directory?.['GET /customers'], 1);
    assert.equal(calls.kyc?.['GET /v3.6/applicants/{applicant_id}'] ?? 0, 0, 'no KYC read when no personal field is selected');
  });

  it('keeps the rest of the customer when the KYC provider or the screening service is down', async () => {
    const customer = acme[6] as DirectoryCustomer;
    await stack.control('/providers/kyc', { down: true });
    await stack.control('/providers/sanctions', { down: true });
    const response = await stack.graphql(
      'query ($id: ID!) { customer(id: $id) { id displayName taxId kyc { status } sanctions { status } } }',
      { token: admin(), variables: { id: customer.id } },
    );
    const data = response.body.data?.customer as { id: string; displayName: string; taxId: unknown; kyc: unknown; sanctions: unknown };
    assert.deepEqual([data.id, data.displayName], [customer.id, customer.display_name]);
    assert.deepEqual([data.taxId, data.kyc, data.sanctions], [null, null, null]);
    const errors = (response.body.errors ?? [])
      .map((error) => [(error.path ?? []).join('.'), error.extensions?.code, error.extensions?.provider])
      .sort();
    assert.deepEqual(errors, [
      ['customer.kyc', 'UPSTREAM_UNAVAILABLE', 'kyc'],
      ['customer.sanctions', 'UPSTREAM_UNAVAILABLE', 'sanctions'],
      ['customer.taxId', 'UPSTREAM_UNAVAILABLE', 'kyc'],
    ]);
    assert.ok(!JSON.stringify(response.body).includes(stack.sandboxUrl), 'no upstream URL in the response');
  });

  it('serves Me.graphql for a customer token, from the token alone', async () => {
    const customer = acme[5] as DirectoryCustomer;
    const response = await stack.graphql(contractOperation('Me'), {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id }),
    });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const me = response.body.data?.me as { id: string; displayName: string; accounts: Array<{ id: string; maskedNumber: string }> };
    assert.equal(me.id, customer.id);
    assert.equal(me.displayName, customer.display_name);
    assert.ok(Array.isArray(me.accounts));
    const staff = await stack.graphql(contractOperation('Me'), { token: support() });
    assert.equal(staff.body.data?.me, null);
    assert.deepEqual(codes(staff), ['NOT_FOUND']);
  });

  it('shows a customer token only its own customer and staff only their own tenant: NOT_FOUND otherwise', async () => {
    const [mine, theirs] = acme as [DirectoryCustomer, DirectoryCustomer];
    const asCustomer = tokenFor({ role: 'customer', tenant: 'acme', customerId: mine.id });
    const own = await stack.graphql('query ($id: ID!) { customer(id: $id) { id displayName kyc { status } } }', {
      token: asCustomer,
      variables: { id: mine.id },
    });
    assert.equal((own.body.data?.customer as { id: string }).id, mine.id);
    for (const query of [KYC, SANCTIONS, MASKED, 'query ($id: ID!) { customer(id: $id) { id displayName email phone } }']) {
      const other = await stack.graphql(query, { token: asCustomer, variables: { id: theirs.id } });
      assert.equal(other.body.data?.customer, null);
      assert.deepEqual(codes(other), ['NOT_FOUND']);
    }
    const foreign = globex[0] as DirectoryCustomer;
    for (const token of [support(), admin()]) {
      const response = await stack.graphql('query ($id: ID!) { customer(id: $id) { id displayName } }', {
        token,
        variables: { id: foreign.id },
      });
      assert.equal(response.body.data?.customer, null);
      assert.deepEqual(codes(response), ['NOT_FOUND']);
    }
    const asGlobex = await stack.graphql('query ($id: ID!) { customer(id: $id) { id displayName } }', {
      token: tokenFor({ role: 'support', tenant: 'globex' }),
      variables: { id: foreign.id },
    });
    assert.equal((asGlobex.body.data?.customer as { displayName: string }).displayName, foreign.display_name);
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.equal(calls.kyc?.['GET /v3.6/checks'] ?? 0, 1, "the other customer's KYC is never read, only the own");
  });

  it("filters the customer list by name, page by page, as the directory's own list does", async () => {
    const wanted = (acme[7] as DirectoryCustomer).display_name.split(' ')[1]?.slice(0, 3) as string;
    const expected = acme.filter((entry) => entry.display_name.toLowerCase().includes(wanted.toLowerCase())).map((entry) => entry.id);
    assert.ok(expected.length >= 1);
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const response = await stack.graphql(
        'query ($after: String, $text: String) { customers(first: 2, after: $after, filter: { nameContains: $text }) { edges { cursor node { id displayName } } pageInfo { hasNextPage endCursor } } }',
        { token: support(), variables: { after, text: wanted.toUpperCase() } },
      );
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      const connection = response.body.data?.customers as {
        edges: Array<{ node: { id: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      assert.ok(connection.edges.length <= 2);
      ids.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    assert.deepEqual(ids, expected);
    const tooShort = await stack.graphql('{ customers(first: 5, filter: { nameContains: "a" }) { edges { node { id } } } }', {
      token: support(),
    });
    assert.deepEqual(codes(tooShort), ['BAD_USER_INPUT']);
  });
});
