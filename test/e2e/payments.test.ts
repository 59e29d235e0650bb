// Payments end to end through the gateway, over a real Redis: initiation that is never duplicated (fifty concurrent
// calls with one key, a restart between two calls, the card processor or the transfer provider accepting and then
// timing out), conflicts, step-up and scopes refused before any provider call, each validation rule with the field it
// names, webhooks (valid, forged, stale, replayed, duplicated, out of order, and both at every event by the
// providers' own rates) leaving statuses right, a settled payment showing in the balance at once, listings and row
// checks, cancellation, and a dead idempotency store refusing payments without calling a provider.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import { decodeAccountId, encodeAccountId } from '../../lib/domain/accountId.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { RedisHarness } from '../support/redis.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

const INITIATE = contractOperation('InitiatePayment');
const INITIATE_FULL = `mutation ($input: InitiatePaymentInput!) { initiatePayment(input: $input) { payment {
  id status rail amount { amount currency } reference createdAt updatedAt
  counterparty { name maskedAccountNumber routingNumber sortCode maskedIban bic }
  statusHistory { status source } } } }`;
const PAYMENT = `query ($id: ID!) { payment(id: $id) { id status statusHistory { status source } sourceAccount { id } } }`;
const CANCEL = `mutation ($id: ID!) { cancelPayment(id: $id) { payment { id status } } }`;
const BALANCE = `query ($id: ID!) { account(id: $id) { balance { current { amount currency } } transactions(first: 1) { edges { node { amount { amount } direction description } } } } }`;

// The processor's and the transfer provider's development webhook secrets (the payments subgraph's defaults).
const PROCESSOR_SECRET = 'whsec_fingraph_dev_processor_0123456789abcdef';
const TRANSFERS_SECRET = 'fingraph-dev-transfers-webhook-secret-0123456789';
const ROUTING = '021000021';

interface AccountRef {
  id: string;
  currency: string;
  institution: { id: string };
}
interface PaymentOut {
  id: string;
  status: string;
  rail: string;
  amount: { amount: string; currency: string };
  statusHistory?: Array<{ status: string; source: string }>;
}

const decimals = (currency: string) => (currency === 'JPY' ? 0 : 2);
/** Exact decimal subtraction on minor units, independent of FinGraph's money code. */
function minus(a: string, b: string, currency: string): string {
  const toMinor = (value: string) => BigInt(value.replace('.', ''));
  const result = toMinor(a) - toMinor(b);
  const digits = (result < 0n ? -result : result).toString().padStart(decimals(currency) + 1, '0');
  const cut = digits.length - decimals(currency);
  return `${result < 0n ? '-' : ''}${digits.slice(0, cut)}${decimals(currency) ? `.${digits.slice(cut)}` : ''}`;
}

describe('payments', () => {
  let redis: RedisHarness;
  let stack: Stack;
  let customerId: string;
  let usd: AccountRef;
  let otherCustomerUsd: AccountRef;
  let orgEur: AccountRef;
  let globexAccount: AccountRef;
  let keySeq = 0;
  const newKey = (label: string) => `test-${label}-${Date.now()}-${++keySeq}`;
  const customer = (amr = ['pwd', 'otp']) => tokenFor({ role: 'customer', tenant: 'acme', customerId, amr });
  const admin = () => tokenFor({ role: 'admin', tenant: 'acme', amr: ['pwd', 'hwk'] });

  const achInput = (overrides: Record<string, unknown> = {}) => ({
    idempotencyKey: newKey('ach'),
    sourceAccountId: usd.id,
    amount: { amount: '12.34', currency: 'USD' },
    rail: 'ACH',
    counterparty: { name: 'Acme Supplies', accountNumber: '123456789', routingNumber: ROUTING },
    reference: 'INV-1',
    ...overrides,
  });
  const initiate = (input: unknown, token = customer(), query = INITIATE_FULL) => stack.graphql(query, { variables: { input }, token });
  const paymentOf = (response: GraphQLResponse) => (response.body.data?.initiatePayment as { payment: PaymentOut } | null)?.payment;
  const calls = async () => (await stack.control('/calls')) as Record<string, Record<string, number>>;
  const moneyCalls = async () => {
    const counts = await calls();
    return (counts.processor?.['POST /v1/payment_intents'] ?? 0) + (counts.transfers?.['POST /transfers'] ?? 0);
  };
  const readPayment = async (id: string, token = customer()) => {
    const response = await stack.graphql(PAYMENT, { variables: { id }, token });
    return response.body.data?.payment as { id: string; status: string; statusHistory: Array<{ status: string; source: string }> } | null;
  };
  const upstreamId = async (provider: 'processor' | 'transfers', paymentId: string): Promise<string> => {
    if (provider === 'processor') {
      const list = (await stack.upstream('/processor/v1/payment_intents?limit=100', credentials.acme?.processor as string)) as {
        data: Array<{ id: string; metadata: Record<string, string> }>;
      };
      const intent = list.data.find((entry) => entry.metadata.fingraph_payment_id === paymentId);
      assert.ok(intent, 'the processor holds the intent');
      return intent.id;
    }
    const events = (await stack.control('/transfers/events')) as { events: Array<{ body: string }> };
    // The transfer's own record names the payment in its metadata.
    for (const event of events.events) {
      const { resourceId } = JSON.parse(event.body) as { resourceId: string };
      const transfer = (await stack.upstream(`/transfers/transfers/${resourceId}`, credentials.acme?.transfers as string)) as {
        metadata?: { paymentId?: string };
      };
      if (transfer.metadata?.paymentId === paymentId) return resourceId;
    }
    throw new Error('no transfer for the payment');
  };
  /** How many transfers the provider holds for the payment (each transfer_created event names one). */
  const transfersFor = async (paymentId: string): Promise<number> => {
    const events = (await stack.control('/transfers/events')) as { events: Array<{ type: string; body: string }> };
    let count = 0;
    for (const event of events.events.filter((entry) => entry.type === 'transfer_created')) {
      const { resourceId } = JSON.parse(event.body) as { resourceId: string };
      const transfer = (await stack.upstream(`/transfers/transfers/${resourceId}`, credentials.acme?.transfers as string)) as {
        metadata?: { paymentId?: string };
      };
      if (transfer.metadata?.paymentId === paymentId) count += 1;
    }
    return count;
  };

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({ redis, env: { PAYMENTS_PROVIDER_TIMEOUT_MS: '1500' } });
    // Settlement only when a test says so.
    await stack.control('/processor/settlement', { settleAfterMs: null });
    await stack.control('/transfers/settlement', { settleAfterMs: null });
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: Array<{ id: string }>;
    };
    const support = tokenFor({ role: 'support', tenant: 'acme' });
    const withUsd: Array<{ id: string; account: AccountRef }> = [];
    for (const entry of page.data) {
      const response = await stack.graphql('query ($id: ID!) { customer(id: $id) { accounts { id currency institution { id } } } }', {
        variables: { id: entry.id },
        token: support,
      });
      const accounts = (response.body.data?.customer as { accounts: AccountRef[] | null } | null)?.accounts ?? [];
      const account = accounts.find(
        (candidate) => candidate.currency === 'USD' && ['lakeside', 'pacific'].includes(candidate.institution.id),
      );
      if (account) withUsd.push({ id: entry.id, account });
      if (withUsd.length === 2) break;
    }
    assert.equal(withUsd.length, 2, 'two customers with a USD account at a core bank');
    customerId = withUsd[0]?.id as string;
    usd = withUsd[0]?.account as AccountRef;
    otherCustomerUsd = withUsd[1]?.account as AccountRef;
    const cash = await stack.graphql(
      '{ cashPosition(reportingCurrency: "EUR") { byInstitution { accounts { id currency institution { id } } } } }',
      { token: admin() },
    );
    const orgAccounts = (cash.body.data?.cashPosition as { byInstitution: Array<{ accounts: AccountRef[] | null }> }).byInstitution.flatMap(
      (entry) => entry.accounts ?? [],
    );
    orgEur = orgAccounts.find((account) => account.currency === 'EUR') as AccountRef;
    assert.ok(orgEur, 'the organisation holds a EUR account');
    const globexCash = await stack.graphql(
      '{ cashPosition(reportingCurrency: "EUR") { byInstitution { accounts { id currency institution { id } } } } }',
      { token: tokenFor({ role: 'admin', tenant: 'globex' }) },
    );
    globexAccount = (globexCash.body.data?.cashPosition as { byInstitution: Array<{ accounts: AccountRef[] | null }> }).byInstitution
      .flatMap((entry) => entry.accounts ?? [])
      .find((account) => account.currency === 'USD') as AccountRef;
  });
  after(async () => {
    await stack.close();
    await redis.close();
  });

  it('serves the contract InitiatePayment operation with a second factor', async () => {
    const input = achInput();
    const response = await initiate(input, customer(), INITIATE);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const payment = response.body.data?.initiatePayment as {
      payment: {
        id: string;
        status: string;
        rail: string;
        amount: unknown;
        sourceAccount: { id: string; maskedNumber: string };
        createdAt: string;
      };
    };
    assert.match(payment.payment.id, /^pay_/);
    assert.equal(payment.payment.status, 'PENDING');
    assert.equal(payment.payment.rail, 'ACH');
    assert.deepEqual(payment.payment.amount, { amount: '12.34', currency: 'USD' });
    assert.equal(payment.payment.sourceAccount.id, usd.id);
    assert.match(payment.payment.sourceAccount.maskedNumber, /^••••\d{4}$/);
    assert.ok(!Number.isNaN(Date.parse(payment.payment.createdAt)));
  });

  it('masks the counterparty and never returns the full account number or IBAN', async () => {
    const response = await initiate(
      {
        idempotencyKey: newKey('sepa'),
        sourceAccountId: orgEur.id,
        amount: { amount: '250.00', currency: 'EUR' },
        rail: 'SEPA_CREDIT',
        counterparty: { name: 'Fournisseur SA', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' },
        reference: 'Facture 42',
      },
      admin(),
    );
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const payment = paymentOf(response) as PaymentOut & { counterparty: Record<string, unknown> };
    assert.deepEqual(payment.counterparty, {
      name: 'Fournisseur SA',
      maskedAccountNumber: null,
      routingNumber: null,
      sortCode: null,
      maskedIban: 'DE89••••3000',
      bic: 'COBADEFFXXX',
    });
    assert.ok(!JSON.stringify(response.body).includes('370400440532013000'));
    assert.ok(!stack.rawLogs.some((line) => line.includes('370400440532013000')), 'no full IBAN in the logs');
  });

  it('refuses initiatePayment without a second factor (STEP_UP_REQUIRED) or without payments:write, calling no provider', async () => {
    const before = await moneyCalls();
    const noStepUp = await initiate(achInput(), customer(['pwd']));
    assert.equal(noStepUp.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(noStepUp.body.errors?.[0]?.extensions?.reason, 'STEP_UP_REQUIRED');
    assert.equal(noStepUp.body.data?.initiatePayment ?? null, null);
    const noScope = await initiate(
      achInput(),
      tokenFor({ role: 'customer', tenant: 'acme', customerId, amr: ['pwd', 'otp'], scopes: ['payments:read', 'accounts:read'] }),
    );
    assert.equal(noScope.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(noScope.body.errors?.[0]?.extensions?.reason, 'MISSING_SCOPE');
    const support = await initiate(achInput(), tokenFor({ role: 'support', tenant: 'acme', amr: ['pwd', 'otp'] }));
    assert.equal(support.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(await moneyCalls(), before);
  });

  it('refuses step-up again at the payments subgraph for a request that reaches it with a valid internal token', async () => {
    const key = deriveSubgraphKey(testKeys.internalSecret, 'payments');
    const internal = signInternalToken(
      key,
      'payments',
      { sub: customerId, tenant: 'acme', customerId, scopes: ['payments:write', 'payments:read'], amr: ['pwd'] },
      'req-direct-pay-0001',
    );
    const before = await moneyCalls();
    const response = await stack.graphql(INITIATE_FULL, {
      url: stack.subgraphUrls.payments,
      headers: { 'x-fingraph-principal': internal },
      variables: { input: achInput() },
    });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(response.body.errors?.[0]?.extensions?.reason, 'STEP_UP_REQUIRED');
    assert.equal(await moneyCalls(), before);
    assert.ok(stack.logs.some((line) => line.msg === 'field refused by subgraph' && line.coordinate === 'Mutation.initiatePayment'));
  });

  it('makes one upstream payment for fifty concurrent calls with one key, and gives fifty identical answers', async () => {
    const input = achInput({ amount: { amount: '50.00', currency: 'USD' } });
    const token = customer();
    const before = await moneyCalls();
    const responses = await Promise.all(Array.from({ length: 50 }, () => initiate(input, token)));
    for (const response of responses) assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const answers = new Set(responses.map((response) => JSON.stringify(response.body.data)));
    assert.equal(answers.size, 1);
    assert.equal((await moneyCalls()) - before, 1);
  });

  it('answers IDEMPOTENCY_CONFLICT for the same key with a different amount, and the first payment stands', async () => {
    const input = achInput();
    const first = paymentOf(await initiate(input));
    assert.ok(first);
    const before = await moneyCalls();
    const conflict = await initiate({ ...input, amount: { amount: '12.35', currency: 'USD' } });
    assert.equal(conflict.body.errors?.[0]?.extensions?.code, 'IDEMPOTENCY_CONFLICT');
    assert.equal(await moneyCalls(), before);
    assert.equal(paymentOf(await initiate(input))?.id, first.id);
  });

  it('scopes keys by principal: another customer reusing a key makes its own payment', async () => {
    const key = newKey('scoped');
    const mine = paymentOf(await initiate(achInput({ idempotencyKey: key })));
    assert.ok(mine, 'the first customer made its payment');
    const before = await moneyCalls();
    const owner = decodeAccountId(otherCustomerUsd.id)?.ownerId as string;
    const theirs = await initiate(
      achInput({ idempotencyKey: key, sourceAccountId: otherCustomerUsd.id }),
      tokenFor({ role: 'customer', tenant: 'acme', amr: ['otp'], customerId: owner }),
    );
    assert.equal(theirs.body.errors, undefined, JSON.stringify(theirs.body.errors));
    assert.ok(paymentOf(theirs));
    assert.notEqual(paymentOf(theirs)?.id, mine.id);
    assert.equal(await moneyCalls(), before + 1, "the second customer's payment reached the provider");
    // The key still means the first customer's own payment to the first customer.
    assert.equal(paymentOf(await initiate(achInput({ idempotencyKey: key })))?.id, mine.id);
    assert.equal(await moneyCalls(), before + 1);
  });

  it('returns the same payment after the subgraph restarts between two calls with one key', async () => {
    const input = achInput();
    const first = paymentOf(await initiate(input));
    assert.ok(first);
    await stack.restart('payments');
    const before = await moneyCalls();
    const second = await initiate(input);
    assert.equal(second.body.errors, undefined, JSON.stringify(second.body.errors));
    assert.equal(paymentOf(second)?.id, first.id);
    assert.equal(await moneyCalls(), before);
  });

  it('makes one payment when the provider accepts, then answers too late, and the client retries', async () => {
    const input = { ...achInput(), rail: 'CARD', counterparty: { name: 'Coffee Shop' } };
    await stack.control('/processor/stall', { count: 1, ms: 2500 });
    const creationsBefore = (await calls()).processor?.['POST /v1/payment_intents'] ?? 0;
    const timedOut = await initiate(input);
    assert.equal(timedOut.body.errors?.[0]?.extensions?.code, 'UPSTREAM_TIMEOUT');
    const retried = await initiate(input);
    assert.equal(retried.body.errors, undefined, JSON.stringify(retried.body.errors));
    const payment = paymentOf(retried) as PaymentOut;
    assert.equal(payment.status, 'PROCESSING');
    const list = (await stack.upstream('/processor/v1/payment_intents?limit=100', credentials.acme?.processor as string)) as {
      data: Array<{ metadata: Record<string, string>; amount: number }>;
    };
    // Both attempts reached the processor; it kept one intent, the one the payment points at.
    assert.equal(((await calls()).processor?.['POST /v1/payment_intents'] ?? 0) - creationsBefore, 2);
    assert.equal(list.data.filter((intent) => intent.metadata.fingraph_payment_id === payment.id).length, 1);
  });

  it('makes one transfer when the transfer provider accepts, then answers too late, and the client retries', async () => {
    const input = achInput();
    // Longer than the stack's PAYMENTS_PROVIDER_TIMEOUT_MS (1500).
    await stack.control('/transfers/stall', { count: 1, ms: 2500 });
    const creationsBefore = (await calls()).transfers?.['POST /transfers'] ?? 0;
    const timedOut = await initiate(input);
    assert.equal(timedOut.body.errors?.[0]?.extensions?.code, 'UPSTREAM_TIMEOUT', JSON.stringify(timedOut.body.errors));
    const retried = await initiate(input);
    assert.equal(retried.body.errors, undefined, JSON.stringify(retried.body.errors));
    const payment = paymentOf(retried) as PaymentOut;
    assert.equal(payment.status, 'PENDING');
    assert.equal(payment.rail, 'ACH');
    // Both attempts reached the provider; it kept one transfer, the one the payment points at.
    assert.equal(((await calls()).transfers?.['POST /transfers'] ?? 0) - creationsBefore, 2);
    assert.equal(await transfersFor(payment.id), 1);
  });

  describe('validation', () => {
    const cases: Array<[string, () => Record<string, unknown>, string]> = [
      ['an idempotency key too short', () => achInput({ idempotencyKey: 'short' }), 'idempotencyKey'],
      ['a zero amount', () => achInput({ amount: { amount: '0.00', currency: 'USD' } }), 'amount.amount'],
      ['a negative amount', () => achInput({ amount: { amount: '-5.00', currency: 'USD' } }), 'amount.amount'],
      ['more decimals than the currency has', () => achInput({ amount: { amount: '1.005', currency: 'USD' } }), 'amount.amount'],
      ['ACH in GBP', () => achInput({ amount: { amount: '10.00', currency: 'GBP' } }), 'amount.currency'],
      ['ACH over its limit', () => achInput({ amount: { amount: '25000.01', currency: 'USD' } }), 'amount.amount'],
      ['WIRE over its limit', () => achInput({ rail: 'WIRE', amount: { amount: '1000000.01', currency: 'USD' } }), 'amount.amount'],
      ['WIRE over its JPY limit', () => achInput({ rail: 'WIRE', amount: { amount: '150000001', currency: 'JPY' } }), 'amount.amount'],
      // Within the JPY limit though over the USD figure: refused only because the account holds USD.
      [
        'WIRE of 2,000,000 JPY from a USD account',
        () => achInput({ rail: 'WIRE', amount: { amount: '2000000', currency: 'JPY' } }),
        'amount.currency',
      ],
      [
        'CARD over its limit',
        () => achInput({ rail: 'CARD', amount: { amount: '10000.01', currency: 'USD' }, counterparty: { name: 'Shop' } }),
        'amount.amount',
      ],
      [
        'CARD in JPY',
        () => achInput({ rail: 'CARD', amount: { amount: '1000', currency: 'JPY' }, counterparty: { name: 'Shop' } }),
        'amount.currency',
      ],
      [
        'Faster Payments in EUR',
        () =>
          achInput({
            rail: 'FASTER_PAYMENTS',
            amount: { amount: '10.00', currency: 'EUR' },
            counterparty: { name: 'X', accountNumber: '12345678', sortCode: '400530' },
          }),
        'amount.currency',
      ],
      [
        'Faster Payments over its limit',
        () =>
          achInput({
            rail: 'FASTER_PAYMENTS',
            amount: { amount: '1000000.01', currency: 'GBP' },
            counterparty: { name: 'X', accountNumber: '12345678', sortCode: '400530' },
          }),
        'amount.amount',
      ],
      [
        'SEPA in GBP',
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '10.00', currency: 'GBP' },
            counterparty: { name: 'X', iban: 'DE89370400440532013000' },
          }),
        'amount.currency',
      ],
      [
        'SEPA over its limit',
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '100000.01', currency: 'EUR' },
            counterparty: { name: 'X', iban: 'DE89370400440532013000' },
          }),
        'amount.amount',
      ],
      [
        "a currency other than the account's",
        () => achInput({ rail: 'WIRE', amount: { amount: '10.00', currency: 'EUR' } }),
        'amount.currency',
      ],
      [
        'ACH without a routing number',
        () => achInput({ counterparty: { name: 'X', accountNumber: '123456789' } }),
        'counterparty.routingNumber',
      ],
      [
        'a routing number failing its check digit',
        () => achInput({ counterparty: { name: 'X', accountNumber: '123456789', routingNumber: '021000022' } }),
        'counterparty.routingNumber',
      ],
      [
        'ACH without an account number',
        () => achInput({ counterparty: { name: 'X', routingNumber: ROUTING } }),
        'counterparty.accountNumber',
      ],
      [
        'an empty counterparty name',
        () => achInput({ counterparty: { name: ' ', accountNumber: '123456789', routingNumber: ROUTING } }),
        'counterparty.name',
      ],
      [
        'Faster Payments without a sort code',
        () =>
          achInput({
            rail: 'FASTER_PAYMENTS',
            amount: { amount: '10.00', currency: 'GBP' },
            counterparty: { name: 'X', accountNumber: '12345678' },
          }),
        'counterparty.sortCode',
      ],
      [
        'SEPA with an IBAN failing mod-97',
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '10.00', currency: 'EUR' },
            counterparty: { name: 'X', iban: 'DE89370400440532013001' },
          }),
        'counterparty.iban',
      ],
      // Issue 11: a valid Turkish IBAN is outside SEPA; a German IBAN two characters short passes mod-97 but not the
      // registry; a BIC of a French bank beside a German account; routing numbers whose check digit adds up but whose
      // prefix (13) is no Federal Reserve range, or which are all zeros.
      [
        "SEPA to a non-SEPA country's IBAN",
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '10.00', currency: 'EUR' },
            counterparty: { name: 'X', iban: 'TR330006100519786457841326' },
          }),
        'counterparty.iban',
      ],
      [
        'SEPA with an IBAN of the wrong length for its country',
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '10.00', currency: 'EUR' },
            counterparty: { name: 'X', iban: 'DE863704004405320130' },
          }),
        'counterparty.iban',
      ],
      [
        "SEPA with a BIC of another country than the IBAN's",
        () =>
          achInput({
            rail: 'SEPA_CREDIT',
            amount: { amount: '10.00', currency: 'EUR' },
            counterparty: { name: 'X', iban: 'DE89370400440532013000', bic: 'BNPAFRPP' },
          }),
        'counterparty.bic',
      ],
      [
        'a routing number outside the Federal Reserve prefixes',
        () => achInput({ counterparty: { name: 'X', accountNumber: '123456789', routingNumber: '131000018' } }),
        'counterparty.routingNumber',
      ],
      [
        'a routing number of zeros',
        () => achInput({ counterparty: { name: 'X', accountNumber: '123456789', routingNumber: '000000000' } }),
        'counterparty.routingNumber',
      ],
      ['a reference too long', () => achInput({ reference: 'R'.repeat(141) }), 'reference'],
      ["another customer's account", () => achInput({ sourceAccountId: otherCustomerUsd.id }), 'sourceAccountId'],
      ["another tenant's account", () => achInput({ sourceAccountId: globexAccount.id }), 'sourceAccountId'],
      ['an account id that does not parse', () => achInput({ sourceAccountId: 'acc_nonsense' }), 'sourceAccountId'],
      ["the organisation's account, for a customer", () => achInput({ sourceAccountId: orgEur.id }), 'sourceAccountId'],
      // An id forged to name the caller as holder of another customer's account: the provider's funding source says otherwise.
      [
        "another customer's account under a forged owner",
        () => {
          const other = decodeAccountId(otherCustomerUsd.id) as NonNullable<ReturnType<typeof decodeAccountId>>;
          return achInput({ sourceAccountId: encodeAccountId({ ...other, ownerId: customerId }) });
        },
        'sourceAccountId',
      ],
    ];
    for (const [name, input, field] of cases) {
      it(`refuses ${name} as BAD_USER_INPUT naming ${field}, before any payment is made`, async () => {
        const before = await moneyCalls();
        const response = await initiate(input());
        assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(response.body.errors));
        assert.equal(response.body.errors?.[0]?.extensions?.field, field);
        assert.equal(await moneyCalls(), before);
      });
    }

    it('refuses a WIRE in a currency the rail does not carry before asking the provider about the account', async () => {
      const fundingSourceReads = async () => (await calls()).transfers?.['GET /funding-sources/{Id}'] ?? 0;
      const before = await fundingSourceReads();
      const response = await initiate(achInput({ rail: 'WIRE', amount: { amount: '10.000', currency: 'KWD' } }));
      assert.equal(response.body.errors?.[0]?.extensions?.field, 'amount.currency');
      assert.equal(await fundingSourceReads(), before);
      // A currency the rail carries is checked against the account, which takes the provider's word.
      await initiate(achInput({ rail: 'WIRE', amount: { amount: '10.00', currency: 'EUR' } }));
      assert.equal(await fundingSourceReads(), before + 1);
    });

    it('lets a corrected request reuse the key of a refused one', async () => {
      const key = newKey('corrected');
      const refused = await initiate(achInput({ idempotencyKey: key, amount: { amount: '0.00', currency: 'USD' } }));
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      const currencyRefused = await initiate(achInput({ idempotencyKey: key, rail: 'WIRE', amount: { amount: '10.00', currency: 'EUR' } }));
      assert.equal(currencyRefused.body.errors?.[0]?.extensions?.field, 'amount.currency');
      const accepted = await initiate(achInput({ idempotencyKey: key }));
      assert.equal(accepted.body.errors, undefined, JSON.stringify(accepted.body.errors));
    });
  });

  describe('webhooks', () => {
    const post = (provider: string, body: string, headers: Record<string, string>) =>
      fetch(`${new URL(stack.subgraphUrls.payments as string).origin}/webhooks/${provider}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const stripeHeader = (body: string, secret = PROCESSOR_SECRET, t = Math.floor(Date.now() / 1000)) => ({
      'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`,
    });
    const cardPayment = async () =>
      paymentOf(await initiate({ ...achInput(), rail: 'CARD', counterparty: { name: 'Shop' } })) as PaymentOut;

    it('applies a valid transfer webhook: the payment settles', async () => {
      const payment = paymentOf(await initiate(achInput())) as PaymentOut;
      await stack.control(`/transfers/transfers/${await upstreamId('transfers', payment.id)}/process`, {});
      await stack.sandbox.outbox.idle();
      const read = await readPayment(payment.id);
      assert.equal(read?.status, 'SETTLED');
      assert.deepEqual(
        read?.statusHistory.map((change) => change.status),
        ['PENDING', 'SETTLED'],
      );
      assert.ok(
        stack.logs.some(
          (line) =>
            line.msg === 'webhook accepted' &&
            line.provider === 'transfers' &&
            typeof line.eventId === 'string' &&
            line.paymentId === payment.id,
        ),
      );
    });

    it('applies a failure, and nothing moves a failed payment again', async () => {
      const payment = paymentOf(await initiate(achInput())) as PaymentOut;
      const transferId = await upstreamId('transfers', payment.id);
      await stack.control(`/transfers/transfers/${transferId}/fail`, {});
      await stack.sandbox.outbox.idle();
      assert.equal((await readPayment(payment.id))?.status, 'FAILED');
      // A completion for it, correctly signed and fresh, comes too late to change anything.
      const late = JSON.stringify({
        id: `late-${transferId}`,
        resourceId: transferId,
        topic: 'transfer_completed',
        timestamp: new Date().toISOString(),
      });
      const answer = await post('transfers', late, {
        'x-request-signature-sha-256': createHmac('sha256', TRANSFERS_SECRET).update(late).digest('hex'),
      });
      assert.equal(answer.status, 200);
      const read = await readPayment(payment.id);
      assert.equal(read?.status, 'FAILED');
      assert.deepEqual(
        read?.statusHistory.map((change) => change.status),
        ['PENDING', 'FAILED'],
      );
    });

    it('reconciles an old but genuine transfer event with the provider instead of trusting or dropping it', async () => {
      const payment = paymentOf(await initiate(achInput())) as PaymentOut;
      const transferId = await upstreamId('transfers', payment.id);
      const signed = (body: string) => ({
        'x-request-signature-sha-256': createHmac('sha256', TRANSFERS_SECRET).update(body).digest('hex'),
      });
      const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
      // An hour-old "completed", correctly signed, while the provider still says pending: the provider's word stands.
      const early = JSON.stringify({
        id: `old-1-${transferId}`,
        resourceId: transferId,
        topic: 'transfer_completed',
        timestamp: anHourAgo,
      });
      assert.equal((await post('transfers', early, signed(early))).status, 200);
      assert.equal((await readPayment(payment.id))?.status, 'PENDING');
      // The transfer settles while the webhook endpoint is unreachable; its old delivery, retried later, still applies.
      await stack.control('/webhooks/transfers', { url: null });
      try {
        await stack.control(`/transfers/transfers/${transferId}/process`, {});
        await stack.sandbox.outbox.idle();
      } finally {
        await stack.control('/webhooks/transfers', { url: `${new URL(stack.subgraphUrls.payments as string).origin}/webhooks/transfers` });
      }
      assert.equal((await readPayment(payment.id))?.status, 'PENDING');
      const late = JSON.stringify({ id: `old-2-${transferId}`, resourceId: transferId, topic: 'transfer_completed', timestamp: anHourAgo });
      assert.equal((await post('transfers', late, signed(late))).status, 200);
      const read = await readPayment(payment.id);
      assert.equal(read?.status, 'SETTLED');
      assert.ok(
        stack.logs.some((line) => line.msg === 'webhook accepted' && line.eventId === `old-2-${transferId}` && line.stale === true),
      );
    });

    it('acknowledges a well-signed event of a type it does not follow, and changes nothing', async () => {
      // A refund of the charge of a payment that is processing: FinGraph does not follow refunds, so the payment
      // stays as it is and no provider is asked anything.
      const payment = await cardPayment();
      const intentId = await upstreamId('processor', payment.id);
      const before = await readPayment(payment.id);
      const callsBefore = await calls();
      const body = JSON.stringify({
        id: `evt_charge_${intentId}`,
        type: 'charge.refunded',
        data: { object: { id: `ch_${intentId}`, object: 'charge', payment_intent: intentId, status: 'succeeded' } },
      });
      const answer = await post('processor', body, stripeHeader(body));
      assert.equal(answer.status, 200);
      assert.ok(stack.logs.some((line) => line.msg === 'webhook of a type not followed' && line.eventId === `evt_charge_${intentId}`));
      assert.deepEqual(await readPayment(payment.id), before);
      assert.deepEqual(await calls(), callsBefore, 'no provider was asked anything');
    });

    it('applies a duplicated delivery once', async () => {
      await stack.control('/processor/webhooks', { duplicates: 2 });
      try {
        const payment = await cardPayment();
        await stack.control(`/processor/payment_intents/${await upstreamId('processor', payment.id)}/succeed`, {});
        await stack.sandbox.outbox.idle();
        const read = await readPayment(payment.id);
        assert.equal(read?.status, 'SETTLED');
        assert.equal(read?.statusHistory.filter((change) => change.status === 'SETTLED').length, 1);
        assert.ok(stack.logs.some((line) => line.msg === 'webhook replay ignored' && line.provider === 'processor'));
      } finally {
        await stack.control('/processor/webhooks', { duplicates: 0 });
      }
    });

    it('ends right when events arrive out of order', async () => {
      await stack.control('/processor/webhooks', { hold: true });
      let payment: PaymentOut;
      try {
        payment = await cardPayment();
        await stack.control(`/processor/payment_intents/${await upstreamId('processor', payment.id)}/succeed`, {});
      } finally {
        await stack.control('/processor/webhooks', { hold: false });
      }
      // succeeded first, then processing, then created: the late ones change nothing.
      await stack.control('/processor/webhooks/release', { order: 'reverse' });
      await stack.sandbox.outbox.idle();
      const read = await readPayment(payment.id);
      assert.equal(read?.status, 'SETTLED');
      assert.deepEqual(
        read?.statusHistory.map((change) => change.status),
        ['PROCESSING', 'SETTLED'],
      );
    });

    it('ends right when both providers duplicate and reorder every event (duplicateRate and reorderRate 1)', async () => {
      const chaos = { duplicateRate: 1, reorderRate: 1 };
      await stack.control('/processor/webhooks', chaos);
      await stack.control('/transfers/webhooks', chaos);
      let card: PaymentOut;
      let transfer: PaymentOut;
      try {
        card = await cardPayment();
        transfer = paymentOf(await initiate(achInput())) as PaymentOut;
        await stack.control(`/processor/payment_intents/${await upstreamId('processor', card.id)}/succeed`, {});
        await stack.control(`/transfers/transfers/${await upstreamId('transfers', transfer.id)}/process`, {});
        await stack.sandbox.outbox.idle();
      } finally {
        const exact = { duplicateRate: 0, reorderRate: 0 };
        await stack.control('/processor/webhooks', exact);
        await stack.control('/transfers/webhooks', exact);
      }
      const readCard = await readPayment(card.id);
      assert.equal(readCard?.status, 'SETTLED');
      assert.deepEqual(
        readCard?.statusHistory.map((change) => change.status),
        ['PROCESSING', 'SETTLED'],
      );
      const readTransfer = await readPayment(transfer.id);
      assert.equal(readTransfer?.status, 'SETTLED');
      assert.deepEqual(
        readTransfer?.statusHistory.map((change) => change.status),
        ['PENDING', 'SETTLED'],
      );
      // The chaos reached the subgraph: each transfer event delivered twice, the creation after the completion.
      const transferId = await upstreamId('transfers', transfer.id);
      const events = (
        (await stack.control('/transfers/events')) as { events: Array<{ id: string; type: string; body: string }> }
      ).events.filter((event) => (JSON.parse(event.body) as { resourceId: string }).resourceId === transferId);
      const deliveries = ((await stack.control('/webhooks')) as { deliveries: Array<{ eventId: string; delivered: boolean }> }).deliveries;
      const created = events.find((event) => event.type === 'transfer_created');
      const completed = events.find((event) => event.type === 'transfer_completed');
      assert.ok(created && completed);
      for (const event of [created, completed]) {
        assert.equal(
          deliveries.filter((entry) => entry.eventId === event.id && entry.delivered).length,
          2,
          `${event.type} delivered twice`,
        );
      }
      assert.ok(
        deliveries.findIndex((entry) => entry.eventId === created.id) > deliveries.findIndex((entry) => entry.eventId === completed.id),
        'the creation was delivered after the completion',
      );
      assert.ok(stack.logs.some((line) => line.msg === 'webhook replay ignored' && line.provider === 'transfers'));
      assert.ok(stack.logs.some((line) => line.msg === 'webhook replay ignored' && line.provider === 'processor'));
    });

    it('applies a settlement announced before the payment was stored: the provider is asked to retry', async () => {
      // The processor settles at once and emits its events while its answer to the creation call is held back 200 ms
      // (well within the provider timeout): the events reach the subgraph before the payment is stored. The outbox
      // retries after 100, 200 and 400 ms, so a retry comes after the answer.
      await stack.control('/processor/settlement', { settleAfterMs: 0 });
      await stack.control('/processor/stall', { count: 1, ms: 200 });
      let payment: PaymentOut;
      try {
        payment = await cardPayment();
      } finally {
        await stack.control('/processor/settlement', { settleAfterMs: null });
      }
      await stack.sandbox.outbox.idle();
      assert.equal((await readPayment(payment.id))?.status, 'SETTLED');
      // The success event reached the subgraph before the payment was stored: answered 409 at first, applied on retry.
      const intentId = await upstreamId('processor', payment.id);
      const events = ((await stack.control('/processor/events')) as { events: Array<{ id: string; type: string; body: string }> }).events;
      const succeeded = events.find((event) => event.type === 'payment_intent.succeeded' && event.body.includes(intentId));
      assert.ok(succeeded);
      assert.ok(
        stack.logs.some((line) => line.msg === 'webhook for an unknown payment: provider to retry' && line.eventId === succeeded.id),
        'the first delivery found no payment and asked the provider to retry',
      );
      const deliveries = (
        (await stack.control('/webhooks')) as {
          deliveries: Array<{ eventId: string; attempts: number; status: number; delivered: boolean }>;
        }
      ).deliveries.filter((entry) => entry.eventId === succeeded.id);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]?.delivered, true);
      assert.equal(deliveries[0]?.status, 200);
      assert.ok((deliveries[0]?.attempts ?? 0) >= 2, 'delivered on a retry, after the 409');
    });

    it('refuses a wrong signature, a stale timestamp and a replay, and the status stays', async () => {
      const payment = await cardPayment();
      const intentId = await upstreamId('processor', payment.id);
      const events = (await stack.control('/processor/events')) as { events: Array<{ id: string; type: string; body: string }> };
      const processing = events.events.find((event) => event.type === 'payment_intent.processing' && event.body.includes(intentId));
      assert.ok(processing);
      // A forged success: the real event turned into a success under a new id.
      const forged = processing.body
        .replace('"processing"', '"succeeded"')
        .replace('payment_intent.processing', 'payment_intent.succeeded')
        .replace(processing.id, `${processing.id}x`);
      const wrong = await post('processor', forged, stripeHeader(forged, 'whsec_not_the_secret_at_all_000000'));
      assert.equal(wrong.status, 400);
      const unsigned = await post('processor', forged, {});
      assert.equal(unsigned.status, 400);
      const stale = await post('processor', forged, stripeHeader(forged, PROCESSOR_SECRET, Math.floor(Date.now() / 1000) - 3600));
      assert.equal(stale.status, 400);
      const transfersForged = await post(
        'transfers',
        JSON.stringify({ id: 'e1', resourceId: 'x', topic: 'transfer_completed', timestamp: new Date().toISOString() }),
        { 'x-request-signature-sha-256': 'ab'.repeat(32) },
      );
      assert.equal(transfersForged.status, 400);
      assert.equal((await readPayment(payment.id))?.status, 'PROCESSING');
      // A delivered event sent again, correctly signed now: remembered by its id, refused.
      const replay = await post('processor', processing.body, stripeHeader(processing.body));
      assert.equal(replay.status, 200);
      assert.deepEqual(await replay.json(), { received: true, duplicate: true });
      assert.ok(stack.logs.some((line) => line.msg === 'webhook refused' && line.reason === 'signature mismatch'));
      assert.ok(!stack.rawLogs.some((line) => line.includes('"object":"payment_intent"')), 'no webhook body in the logs');
    });

    it('shows a settled payment in the account balance and transactions at once (no stale cache)', async () => {
      const token = customer();
      const read = async () =>
        (await stack.graphql(BALANCE, { variables: { id: usd.id }, token })).body.data?.account as {
          balance: { current: { amount: string } };
          transactions: { edges: Array<{ node: { amount: { amount: string }; direction: string } }> };
        };
      const before = await read();
      const payment = paymentOf(await initiate(achInput({ amount: { amount: '321.09', currency: 'USD' } }))) as PaymentOut;
      assert.equal((await read()).balance.current.amount, before.balance.current.amount, 'nothing moves before settlement');
      await stack.control(`/transfers/transfers/${await upstreamId('transfers', payment.id)}/process`, {});
      await stack.sandbox.outbox.idle();
      const afterwards = await read();
      assert.equal(afterwards.balance.current.amount, minus(before.balance.current.amount, '321.09', 'USD'));
      assert.deepEqual(afterwards.transactions.edges[0]?.node.amount.amount, '321.09');
      assert.equal(afterwards.transactions.edges[0]?.node.direction, 'DEBIT');
    });
  });

  it('cancels a pending payment once; a second cancel is NOT_CANCELLABLE', async () => {
    const payment = paymentOf(await initiate(achInput())) as PaymentOut;
    const cancelled = await stack.graphql(CANCEL, { variables: { id: payment.id }, token: customer() });
    assert.equal(cancelled.body.errors, undefined, JSON.stringify(cancelled.body.errors));
    assert.equal((cancelled.body.data?.cancelPayment as { payment: { status: string } }).payment.status, 'CANCELLED');
    const again = await stack.graphql(CANCEL, { variables: { id: payment.id }, token: customer() });
    assert.equal(again.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(again.body.errors?.[0]?.extensions?.reason, 'NOT_CANCELLABLE');
  });

  it('lists payments on the customer and on the account with opaque cursors, and keeps them to their owner', async () => {
    const made = [];
    for (let index = 0; index < 3; index += 1)
      made.push(paymentOf(await initiate(achInput({ amount: { amount: `1.0${index}`, currency: 'USD' } }))) as PaymentOut);
    const LIST = `query ($id: ID!, $after: String) { customer(id: $id) { payments(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const token = customer();
    const first = (await stack.graphql(LIST, { variables: { id: customerId }, token })).body.data?.customer as {
      payments: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    assert.deepEqual(
      first.payments.edges.map((edge) => edge.node.id),
      [made[2]?.id, made[1]?.id],
    );
    assert.equal(first.payments.pageInfo.hasNextPage, true);
    const second = (await stack.graphql(LIST, { variables: { id: customerId, after: first.payments.pageInfo.endCursor }, token })).body.data
      ?.customer as typeof first;
    assert.equal(second.payments.edges[0]?.node.id, made[0]?.id);
    // CustomerOverview's selection of the list (the whole operation needs the identity and credit subgraphs).
    const overview = await stack.graphql(
      'query ($id: ID!) { customer(id: $id) { payments(first: 5) { edges { node { id status amount { amount currency } createdAt } } } } }',
      { variables: { id: customerId }, token },
    );
    assert.equal(overview.body.errors, undefined, JSON.stringify(overview.body.errors));
    const overviewPayments = (
      overview.body.data?.customer as { payments: { edges: Array<{ node: { id: string; amount: { amount: string } } }> } }
    ).payments;
    assert.deepEqual(
      overviewPayments.edges.slice(0, 3).map((edge) => edge.node.id),
      [made[2]?.id, made[1]?.id, made[0]?.id],
    );
    assert.equal(overviewPayments.edges[0]?.node.amount.amount, '1.02');
    const byAccount = await stack.graphql('query ($id: ID!) { account(id: $id) { payments(first: 1) { edges { node { id } } } } }', {
      variables: { id: usd.id },
      token,
    });
    assert.equal(
      (byAccount.body.data?.account as { payments: { edges: Array<{ node: { id: string } }> } }).payments.edges[0]?.node.id,
      made[2]?.id,
    );
    // Another customer, and another tenant's staff, do not see it.
    const stranger = tokenFor({ role: 'customer', tenant: 'acme', customerId: 'cus_0000000000000000', amr: ['otp'] });
    const hidden = await stack.graphql(PAYMENT, { variables: { id: made[0]?.id }, token: stranger });
    assert.equal(hidden.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const foreign = await stack.graphql(PAYMENT, { variables: { id: made[0]?.id }, token: tokenFor({ role: 'admin', tenant: 'globex' }) });
    assert.equal(foreign.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const staff = await stack.graphql(PAYMENT, { variables: { id: made[0]?.id }, token: tokenFor({ role: 'support', tenant: 'acme' }) });
    assert.equal((staff.body.data?.payment as { id: string }).id, made[0]?.id);
  });

  // Last: it kills the Redis every other test uses.
  it('refuses initiatePayment when the idempotency store is down, calling no provider', async () => {
    await redis.stop();
    const before = await moneyCalls();
    const response = await initiate(achInput());
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(response.body.errors));
    assert.equal(response.body.errors?.[0]?.extensions?.reason, 'IDEMPOTENCY_STORE_UNAVAILABLE');
    assert.equal(await moneyCalls(), before);
  });
});
