// CustomerOverview.graphql, the unified customer view, through the gateway with a staff token: every part checked
// against its source (the directory and KYC provider, the banks, a payment the customer has just made, the bureau),
// and the gateway's subgraph calls for it counted: exactly the fetches the query plan needs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type DocumentNode, type FieldDefinitionNode, Kind, parse, type SelectionSetNode, type TypeNode } from 'graphql';
import { fromRoot } from '../../lib/config/paths.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface Link {
  institution_id: string;
  type: string;
  bank_customer_id?: string;
}
interface DirectoryCustomer {
  id: string;
  display_name: string;
  email: string;
  kyc_applicant_id: string;
  bank_links: Link[];
}
interface Money {
  amount: string;
  currency: string;
}
interface OverviewAccount {
  id: string;
  institution: { id: string; name: string };
  type: string;
  maskedNumber: string;
  currency: string;
  balance: { available: Money | null; current: Money; asOf: string } | null;
  transactions: {
    edges: Array<{ node: { id: string; amount: Money; direction: string; status: string; bookedAt: string | null } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
interface Overview {
  id: string;
  displayName: string;
  email: string;
  kyc: { status: string; checkedAt: string | null } | null;
  accounts: OverviewAccount[] | null;
  payments: { edges: Array<{ node: { id: string; status: string; amount: Money; createdAt: string } }> } | null;
  creditScore: { score: number; model: string; range: { min: number; max: number }; asOf: string } | null;
}

const SUBGRAPHS = ['identity', 'accounts', 'payments', 'credit'] as const;

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/**
 * The fewest subgraph fetches the query plan allows, read from the supergraph's join metadata: the plan starts at the
 * subgraph that owns the root field, which also serves every selected field it owns; each selected field it does not
 * own is fetched from a subgraph that does, one `_entities` fetch per subgraph for all such fields of one object (the
 * planner groups them); below a field, the walk continues in the subgraph that served it, so a subtree owned by one
 * subgraph costs nothing more. For CustomerOverview: identity (customer, displayName, email, kyc), then, in parallel,
 * accounts (accounts and everything below it), payments (payments) and credit (creditScore): one fetch each.
 */
function planFetches(supergraph: DocumentNode, operation: DocumentNode): Map<string, number> {
  const graphNames = new Map<string, string>();
  const fields = new Map<string, Map<string, { graphs: string[]; type: string }>>();
  const argOf = (
    directive: { arguments?: readonly { name: { value: string }; value: { kind: string; value?: unknown } }[] },
    name: string,
  ) => directive.arguments?.find((arg) => arg.name.value === name)?.value.value as string | undefined;
  for (const definition of supergraph.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const name = value.directives?.find((directive) => directive.name.value === 'join__graph');
        if (name) graphNames.set(value.name.value, argOf(name, 'name') as string);
      }
    }
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeGraphs = (definition.directives ?? [])
      .filter((directive) => directive.name.value === 'join__type')
      .map((directive) => argOf(directive, 'graph') as string);
    const byField = new Map<string, { graphs: string[]; type: string }>();
    for (const field of definition.fields ?? ([] as readonly FieldDefinitionNode[])) {
      const joined = (field.directives ?? [])
        .filter((directive) => directive.name.value === 'join__field' && argOf(directive, 'external') === undefined)
        .map((directive) => argOf(directive, 'graph'))
        .filter((graph): graph is string => graph !== undefined);
      byField.set(field.name.value, { graphs: joined.length > 0 ? joined : typeGraphs, type: namedType(field.type) });
    }
    fields.set(definition.name.value, byField);
  }
  const counts = new Map<string, number>();
  const fetch = (graph: string) => counts.set(graphNames.get(graph) ?? graph, (counts.get(graphNames.get(graph) ?? graph) ?? 0) + 1);
  function walk(typeName: string, selectionSet: SelectionSetNode | undefined, graph: string): void {
    if (!selectionSet) return;
    const opened = new Set<string>();
    for (const selection of selectionSet.selections) {
      assert.equal(selection.kind, Kind.FIELD, 'the walk reads plain fields only');
      if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
      const field = fields.get(typeName)?.get(selection.name.value);
      assert.ok(field, `${typeName}.${selection.name.value} is in the supergraph`);
      let serving = graph;
      if (!field.graphs.includes(graph)) {
        serving = field.graphs[0] as string;
        if (!opened.has(serving)) {
          opened.add(serving);
          fetch(serving);
        }
      }
      walk(field.type, selection.selectionSet, serving);
    }
  }
  const [definition] = operation.definitions;
  assert.ok(definition?.kind === Kind.OPERATION_DEFINITION);
  for (const selection of definition.selectionSet.selections) {
    assert.ok(selection.kind === Kind.FIELD);
    const root = fields.get('Query')?.get(selection.name.value);
    assert.ok(root);
    fetch(root.graphs[0] as string);
    walk(root.type, selection.selectionSet, root.graphs[0] as string);
  }
  return counts;
}

describe('CustomerOverview', () => {
  let stack: Stack;
  let customers: DirectoryCustomer[];

  before(async () => {
    stack = await startStack();
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    customers = page.data;
  });
  after(async () => {
    await stack.close();
  });

  async function onfido<T>(path: string): Promise<T> {
    const response = await fetch(`${stack.sandboxUrl}/kyc/v3.6${path}`, {
      headers: { authorization: `Token token=${credentials.acme?.kyc as string}` },
    });
    return (await response.json()) as T;
  }

  /** The core bank's own view of the customer's accounts there: currency and ledger balance in minor units. */
  async function coreAccounts(link: Link) {
    const key = credentials.acme?.[link.institution_id] as string;
    const base = `/core/${link.institution_id}/v1`;
    const accounts = (await stack.upstream(`${base}/customers/${link.bank_customer_id as string}/accounts?limit=100`, key)) as {
      data: Array<{ id: string; currency: string }>;
    };
    const balances = (await stack.upstream(
      `${base}/balances?account_ids=${accounts.data.map((account) => account.id).join(',')}`,
      key,
    )) as { data: Array<{ account_id: string; ledger: number; as_of: string }> };
    return accounts.data.map((account) => {
      const balance = balances.data.find((entry) => entry.account_id === account.id);
      return {
        institutionId: link.institution_id,
        currency: account.currency.toUpperCase(),
        ledgerMinor: balance?.ledger,
        asOf: balance?.as_of,
      };
    });
  }

  it('returns the customer from all four subgraphs in one request, with one fetch per subgraph the plan needs', async () => {
    // A customer banking only at core banks (no consent to expire), so every account can be checked against its bank.
    const customer = customers.find(
      (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
    ) as DirectoryCustomer;
    assert.ok(customer);
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);

    // The customer pays from one of their accounts first, so the view has a payment of theirs to show; the provider
    // settles only by hand meanwhile, so the status read below is the one the payment was made with.
    await stack.control('/transfers/settlement', { settleAfterMs: null });
    const listed = await stack.graphql('query ($id: ID!) { customer(id: $id) { accounts { id currency } } }', {
      token: tokenFor({ role: 'admin', tenant: 'acme' }),
      variables: { id: customer.id },
    });
    const source = (listed.body.data?.customer as { accounts: Array<{ id: string; currency: string }> }).accounts.find(
      (account) => account.currency === 'USD',
    );
    assert.ok(source, 'the customer holds a USD account at a core bank');
    const paid = await stack.graphql(contractOperation('InitiatePayment'), {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id, amr: ['pwd', 'otp'] }),
      variables: {
        input: {
          idempotencyKey: `overview-${Date.now()}`,
          sourceAccountId: source.id,
          amount: { amount: '42.10', currency: 'USD' },
          rail: 'ACH',
          counterparty: { name: 'Utility Co', accountNumber: '123456789', routingNumber: '021000021' },
        },
      },
    });
    assert.equal(paid.body.errors, undefined, JSON.stringify(paid.body.errors));
    const payment = (paid.body.data?.initiatePayment as { payment: { id: string; status: string } }).payment;

    const query = contractOperation('CustomerOverview');
    const logged = stack.logs.length;
    const response = await stack.graphql(query, { token: tokenFor({ role: 'admin', tenant: 'acme' }), variables: { id: customer.id } });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const overview = response.body.data?.customer as Overview;

    // identity
    assert.equal(overview.id, customer.id);
    assert.equal(overview.displayName, customer.display_name);
    assert.equal(overview.email, customer.email);
    const { checks } = await onfido<{ checks: Array<{ status: string; result: string | null; created_at: string }> }>(
      `/checks?applicant_id=${customer.kyc_applicant_id}`,
    );
    const [check] = checks;
    assert.ok(check && overview.kyc);
    const expected = check.status !== 'complete' ? 'PENDING' : check.result === 'consider' ? 'CONSIDER' : 'CLEAR';
    assert.equal(overview.kyc.status, expected);
    assert.equal(overview.kyc.checkedAt, check.status === 'complete' ? new Date(check.created_at).toISOString() : null);

    // accounts, against the banks
    const truth = (await Promise.all(customer.bank_links.map(coreAccounts))).flat();
    const accounts = overview.accounts ?? [];
    assert.equal(accounts.length, truth.length);
    assert.deepEqual(accounts.map((account) => account.institution.id).sort(), truth.map((entry) => entry.institutionId).sort());
    assert.deepEqual(accounts.map((account) => account.currency).sort(), truth.map((entry) => entry.currency).sort());
    for (const account of accounts) {
      assert.ok(account.institution.name.length > 0);
      assert.ok((account.maskedNumber.match(/\d/g) ?? []).length <= 4, account.maskedNumber);
      assert.ok(account.balance);
      assert.equal(account.balance.current.currency, account.currency);
      const minor = BigInt(account.balance.current.amount.replace('.', ''));
      assert.ok(
        truth.some(
          (entry) =>
            entry.currency === account.currency &&
            entry.ledgerMinor !== undefined &&
            BigInt(entry.ledgerMinor) === minor &&
            entry.asOf !== undefined &&
            Date.parse(entry.asOf) === Date.parse(account.balance?.asOf ?? ''),
        ),
        `${account.id}: ${account.balance.current.amount} is the bank's ledger balance`,
      );
      assert.ok(account.transactions.edges.length <= 5);
      if (account.transactions.edges.length < 5) assert.equal(account.transactions.pageInfo.hasNextPage, false);
    }

    // payments: the one just made, newest first
    assert.ok(overview.payments);
    assert.deepEqual(
      overview.payments.edges.map((edge) => [edge.node.id, edge.node.amount]),
      [[payment.id, { amount: '42.10', currency: 'USD' }]],
    );
    assert.equal(overview.payments.edges[0]?.node.status, payment.status);

    // credit: the score as the bureau itself reports it (a soft look, which lenders never see)
    const bureau = await fetch(`${stack.sandboxUrl}/bureau/consumerservices/credit-profile/v2/credit-report`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials.acme?.bureau as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        consumerPii: { primaryApplicant: { customerReference: customer.id } },
        permissiblePurpose: { type: '08' },
        inquiryType: 'SOFT',
        addOns: { riskModels: { modelIndicator: ['F9'] } },
      }),
    });
    const file = ((await bureau.json()) as { creditProfile: Array<{ riskModel: Array<{ score: string }> }> }).creditProfile[0];
    assert.ok(overview.creditScore, 'the score is served');
    assert.equal(overview.creditScore.score, Number(file?.riskModel[0]?.score));
    assert.equal(overview.creditScore.model, 'FICO_8');
    assert.deepEqual(overview.creditScore.range, { min: 300, max: 850 });

    // The subgraph calls: each subgraph logs one `request` line per HTTP request it serves.
    const expectedFetches = planFetches(parse(readFileSync(fromRoot('schema', 'supergraph.graphql'), 'utf8')), parse(query));
    assert.deepEqual(Object.fromEntries(expectedFetches), { identity: 1, accounts: 1, payments: 1, credit: 1 });
    const total = [...expectedFetches.values()].reduce((a, b) => a + b, 0);
    const requestLines = () =>
      stack.logs
        .slice(logged)
        .filter((line) => line.msg === 'request' && line.path === '/graphql' && (SUBGRAPHS as readonly unknown[]).includes(line.service));
    // A subgraph writes its line when its response closes, which may be just after the gateway has answered.
    for (let wait = 0; wait < 100 && requestLines().length < total; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const served = new Map<string, number>();
    for (const line of requestLines()) served.set(line.service as string, (served.get(line.service as string) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(served), Object.fromEntries(expectedFetches));
  });

  it("serves the customer their own view with a customer token, and another customer's as NOT_FOUND", async () => {
    const [own, other] = customers.filter(
      (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
    );
    assert.ok(own && other);
    const token = tokenFor({ role: 'customer', tenant: 'acme', customerId: own.id });
    const mine = await stack.graphql(contractOperation('CustomerOverview'), { token, variables: { id: own.id } });
    assert.equal(mine.body.errors, undefined, JSON.stringify(mine.body.errors));
    const overview = mine.body.data?.customer as Overview;
    assert.equal(overview.id, own.id);
    assert.equal(overview.email, own.email);
    assert.ok(overview.kyc && overview.accounts && overview.payments && overview.creditScore, 'every part the customer role may see');
    const theirs = await stack.graphql(contractOperation('CustomerOverview'), { token, variables: { id: other.id } });
    assert.equal(theirs.body.data?.customer, null);
    assert.deepEqual(
      theirs.body.errors?.map((error) => error.extensions?.code),
      ['NOT_FOUND'],
    );
  });
});
