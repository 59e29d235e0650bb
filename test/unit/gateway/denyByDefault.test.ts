// Deny by default at the field level, on the real subgraph schemas: the committed supergraph opens exactly the fields
// the README lists as public, and a supergraph composed after deleting any one rule is refused, naming that field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { prepareSupergraph } from '../../../gateway/supergraph.js';
import { fromRoot } from '../../../lib/config/paths.js';
import { composeSupergraph, readSubgraphSchema, SUPERGRAPH_PATH } from '../../../schema/compose.js';
import { editedSupergraph, supergraphRefusal } from '../../support/supergraphEdits.js';

/** The README's table of public fields: "Type.field" → the reason it gives. */
function readmePublicFields(): Map<string, string> {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const header = '| public field | why it needs no scope |';
  const start = readme.indexOf(header);
  assert.ok(start >= 0, `the README has the table headed ${header}`);
  const rows = readme.slice(start).split('\n').slice(2);
  const table = rows.slice(
    0,
    rows.findIndex((row) => !row.startsWith('|')),
  );
  return new Map(
    table.map((row) => {
      const match = /^\| `([A-Za-z_]+\.[A-Za-z_]+)` \| (.+) \|$/.exec(row);
      assert.ok(match, `a README row of the form | \`Type.field\` | reason |: ${row}`);
      return [match[1] as string, match[2] as string];
    }),
  );
}

const scopes = (scope: string) => `@requiresScopes(scopes: [["${scope}"]])`;
const committed = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));
/** How the institutions field is marked public in the accounts schema, as the committed supergraph read it. */
const institutionsMark = `\n    @public(reason: ${JSON.stringify(committed.publicFields.get('Query.institutions'))})`;

describe('deny by default', () => {
  it('opens exactly the fields the README lists as public, for the reasons it gives', () => {
    const { publicFields } = committed;
    const listed = readmePublicFields();
    assert.deepEqual([...publicFields.keys()].sort(), [...listed.keys()].sort());
    for (const [coordinate, reason] of publicFields) assert.equal(listed.get(coordinate), reason, `README's reason for ${coordinate}`);
  });

  // Each case deletes one rule from one real subgraph schema; the gateway must refuse and name that field alone.
  const deletions = [
    {
      what: 'a root query field',
      subgraph: 'accounts',
      search: `CashPosition ${scopes('treasury:read')}`,
      replacement: 'CashPosition',
      field: 'Query.cashPosition',
    },
    {
      what: 'a root query field of another subgraph',
      subgraph: 'identity',
      search: `CustomerConnection ${scopes('profile:read')}`,
      replacement: 'CustomerConnection',
      field: 'Query.customers',
    },
    {
      what: 'a mutation',
      subgraph: 'payments',
      search: `CancelPaymentPayload ${scopes('payments:write')}`,
      replacement: 'CancelPaymentPayload',
      field: 'Mutation.cancelPayment',
    },
    {
      what: 'a mutation returning a scalar',
      subgraph: 'credit',
      search: `Boolean ${scopes('credit:read')}`,
      replacement: 'Boolean',
      field: 'Mutation.revokeCreditConsent',
    },
    {
      what: 'a field one subgraph adds to another’s entity',
      subgraph: 'credit',
      search: `CreditScore ${scopes('credit:read')}`,
      replacement: 'CreditScore',
      field: 'Customer.creditScore',
    },
    {
      what: 'a list field one subgraph adds to another’s entity',
      subgraph: 'payments',
      search: `accounts, newest first."\n  payments(first: Int = 20, after: String): PaymentConnection ${scopes('payments:read')}`,
      replacement: 'accounts, newest first."\n  payments(first: Int = 20, after: String): PaymentConnection',
      field: 'Customer.payments',
    },
    {
      what: 'a field of a shared entity in the subgraph that has its root fields',
      subgraph: 'identity',
      search: `email: String ${scopes('profile:read')}`,
      replacement: 'email: String',
      field: 'Customer.email',
    },
    {
      what: 'the rule of the type a root field returns',
      subgraph: 'payments',
      search: `type Payment @key(fields: "id") ${scopes('payments:read')}`,
      replacement: 'type Payment @key(fields: "id")',
      field: 'Query.payment',
    },
    { what: 'the @public mark', subgraph: 'accounts', search: institutionsMark, replacement: '', field: 'Query.institutions' },
  ];
  for (const deletion of deletions) {
    it(`refuses the supergraph when ${deletion.what} loses its rule, naming it and its subgraph`, () => {
      const message = supergraphRefusal(editedSupergraph(deletion.subgraph, deletion.search, deletion.replacement));
      assert.match(message, /fields with no scope requirement/);
      // The named field is the only one: the list ends with it.
      const named = message.slice(message.lastIndexOf('): ') + 3);
      assert.equal(named, `${deletion.field} (subgraph ${deletion.subgraph})`);
    });
  }

  it('names every open field at once, so one start shows every fix', () => {
    const composition = composeSupergraph((name) =>
      name === 'credit'
        ? readSubgraphSchema(name)
            .replace(`CreditScore ${scopes('credit:read')}`, 'CreditScore')
            .replace(`Boolean ${scopes('credit:read')}`, 'Boolean')
        : readSubgraphSchema(name),
    );
    assert.ok(composition.ok);
    assert.match(
      supergraphRefusal(composition.supergraphSdl),
      /: Customer\.creditScore \(subgraph credit\), Mutation\.revokeCreditConsent \(subgraph credit\)$/,
    );
  });

  it('lets a field stand on its type’s rule: Account.payments keeps Account’s accounts:read without its own', () => {
    const sdl = editedSupergraph(
      'payments',
      `"Payments from this account, newest first."\n  payments(first: Int = 20, after: String): PaymentConnection ${scopes('payments:read')}`,
      '"Payments from this account, newest first."\n  payments(first: Int = 20, after: String): PaymentConnection',
    );
    assert.doesNotThrow(() => prepareSupergraph(sdl));
  });

  it('refuses @public on a field that needs scopes, on a subgraph’s own type, or without a reason', () => {
    const onScoped = editedSupergraph(
      'accounts',
      `CashPosition ${scopes('treasury:read')}`,
      `CashPosition ${scopes('treasury:read')} @public(reason: "dashboards")`,
    );
    assert.match(supergraphRefusal(onScoped), /fields marked @public that need scopes \(drop one or the other\): Query\.cashPosition$/);
    const onOwnType = editedSupergraph(
      'accounts',
      '  name: String!\n  "ISO 3166-1 alpha-2 country of the bank."',
      '  name: String! @public(reason: "a bank\'s name")\n  "ISO 3166-1 alpha-2 country of the bank."',
    );
    assert.match(
      supergraphRefusal(onOwnType),
      /@public only marks root fields and fields added to a shared entity, not: Institution\.name$/,
    );
    const withoutReason = editedSupergraph('accounts', institutionsMark, '\n    @public(reason: "  ")');
    assert.match(supergraphRefusal(withoutReason), /Query\.institutions: @public needs a non-empty reason/);
  });
});
