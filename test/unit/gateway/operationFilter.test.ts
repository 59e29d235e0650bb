// The gateway's field filter against a schema with interfaces, unions and a mutation: whatever the spelling of the
// operation (aliases, fragments, inline fragments, @include), a refused field is removed everywhere and its place in
// the response is known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeServices } from '@apollo/composition';
import { Kind, type OperationDefinitionNode, parse, print, validate } from 'graphql';
import { filterOperation } from '../../../gateway/plugins/authorization/operationFilter.js';
import { applyRefusals } from '../../../gateway/plugins/authorization/refusedFields.js';
import { prepareSupergraph } from '../../../gateway/supergraph.js';
import type { Principal } from '../../../lib/auth/principal.js';

const subgraph = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes", "@composeDirective", "@listSize"])
    @link(url: "https://specs.fingraph.dev/stepUp/v0.1", import: ["@stepUp"])
    @link(url: "https://specs.fingraph.dev/public/v0.1", import: ["@public"])
    @composeDirective(name: "@stepUp")
    @composeDirective(name: "@public")
  directive @stepUp on FIELD_DEFINITION
  directive @public(reason: String!) on FIELD_DEFINITION
  type Query @authenticated {
    holder(id: ID!): Holder @public(reason: "the filter's cases live below it, on its fields")
    items: [Item!]! @listSize(assumedSize: 10) @public(reason: "the filter's cases live below it, on its fields")
    secret: String @requiresScopes(scopes: [["admin:read"]])
  }
  type Mutation @authenticated {
    pay(amount: String!): String @requiresScopes(scopes: [["payments:write"], ["admin:write"]])
    transfer(amount: String!): String @requiresScopes(scopes: [["payments:write"]]) @stepUp
  }
  interface Product { id: ID! name: String taxId: String }
  type Loan implements Product @key(fields: "id") { id: ID! name: String taxId: String @requiresScopes(scopes: [["pii:read"]]) rate: String @requiresScopes(scopes: [["credit:read", "pii:read"]]) guarantor: Holder }
  type Card implements Product @key(fields: "id") { id: ID! name: String taxId: String @requiresScopes(scopes: [["pii:read"]]) guarantor: Holder }
  union Item = Loan | Card
  type Holder @key(fields: "id") { id: ID! name: String products: [Product!] @listSize(assumedSize: 10) }
`);
const composition = composeServices([{ name: 'test', url: 'http://localhost:1/graphql', typeDefs: subgraph }]);
if (composition.errors) throw new Error(composition.errors.map((error) => error.message).join('\n'));
const { apiSchema: schema, rules } = prepareSupergraph(composition.supergraphSdl);

const principal = (scopes: string[], amr: string[] = ['pwd']): Principal => ({
  sub: 's',
  tenant: 'acme',
  customerId: undefined,
  scopes,
  amr,
});

function run(query: string, scopes: string[], variables: Record<string, unknown> = {}, amr: string[] = ['pwd']) {
  const document = parse(query);
  assert.deepEqual(validate(schema, document), []);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const result = filterOperation({ schema, rules, document, operation, variables, principal: principal(scopes, amr) });
  assert.deepEqual(
    validate(schema, result.document).map((error) => error.message),
    [],
    'the rewritten document stays valid',
  );
  return { ...result, printed: print(result.document) };
}

describe('filterOperation', () => {
  it('leaves an operation the principal may fully read untouched', () => {
    const query = '{ holder(id: "1") { name products { taxId } } }';
    const result = run(query, ['pii:read']);
    assert.equal(result.refusals.length, 0);
    assert.equal(result.printed, print(parse(query)));
  });

  it('removes a refused field under any alias and records its response path', () => {
    const result = run('{ holder(id: "1") { id t: products { x: taxId y: taxId name } } }', []);
    assert.doesNotMatch(result.printed, /taxId/);
    assert.match(result.printed, /name/);
    assert.deepEqual(
      result.refusals.map((refusal) => refusal.path),
      [
        ['holder', 't', '@', 'x'],
        ['holder', 't', '@', 'y'],
      ],
    );
    assert.deepEqual(result.refusals[0]?.missingScopes, ['pii:read']);
  });

  it('removes it from named fragments and inline fragments on interfaces and unions', () => {
    const result = run(
      `
      query { holder(id: "1") { ...H } items { ... on Loan { rate name } ... on Card { taxId } } }
      fragment H on Holder { products { ... on Loan { rate } ...P } }
      fragment P on Product { taxId }`,
      ['pii:read'],
    );
    assert.doesNotMatch(result.printed, /rate/);
    assert.match(result.printed, /taxId/);
    assert.deepEqual(
      result.refusals.map((refusal) => [refusal.path.join('.'), refusal.typeConditions]),
      [
        ['holder.products.@.rate', [{ at: 3, type: 'Loan' }]],
        ['items.@.rate', [{ at: 2, type: 'Loan' }]],
      ],
    );
  });

  it('removes a refused field whatever @include says, and records it only where it would have run', () => {
    const query = 'query ($show: Boolean!) { secret @include(if: $show) items { __typename } }';
    const shown = run(query, [], { show: true });
    const hidden = run(query, [], { show: false });
    assert.doesNotMatch(shown.printed, /secret/);
    assert.doesNotMatch(hidden.printed, /secret/);
    assert.deepEqual(
      shown.refusals.map((refusal) => refusal.path),
      [['secret']],
    );
    assert.deepEqual(hidden.refusals, []);
  });

  it('keeps an emptied selection valid with a placeholder, at the root too', () => {
    const result = run('{ secret }', ['pii:read']);
    assert.match(result.printed, /__fg_placeholder: __typename/);
    const mutation = run('mutation { pay(amount: "1.00") }', ['payments:read']);
    assert.match(mutation.printed, /__fg_placeholder/);
    assert.equal(run('mutation { pay(amount: "1.00") }', ['admin:write']).refusals.length, 0, 'any one AND-set suffices');
  });

  it('refuses a step-up field without a second factor, with reason STEP_UP_REQUIRED, and allows it with one', () => {
    const mutation = 'mutation { transfer(amount: "10.00") }';
    const withoutFactor = run(mutation, ['payments:write']);
    assert.deepEqual(
      withoutFactor.refusals.map((refusal) => refusal.reason),
      ['STEP_UP_REQUIRED'],
    );
    assert.deepEqual(
      run(mutation, ['payments:read'], {}, ['pwd', 'otp']).refusals.map((refusal) => refusal.reason),
      ['MISSING_SCOPE'],
      'scopes are checked first',
    );
    for (const factor of ['otp', 'mfa', 'hwk', 'sms'])
      assert.equal(run(mutation, ['payments:write'], {}, ['pwd', factor]).refusals.length, 0, factor);
    const errors = applyRefusals(schema, { __fg_placeholder: 'Mutation' } as never, withoutFactor.refusals);
    assert.deepEqual(
      errors.map((error) => [error.path, error.extensions?.code, error.extensions?.reason]),
      [[['transfer'], 'FORBIDDEN', 'STEP_UP_REQUIRED']],
    );
  });

  it('needs every scope of an AND-set', () => {
    assert.equal(run('{ items { ... on Loan { rate } } }', ['credit:read']).refusals.length, 1);
    assert.equal(run('{ items { ... on Loan { rate } } }', ['credit:read', 'pii:read']).refusals.length, 0);
  });
});

describe('type conditions along the path', () => {
  it('nulls a field refused under one type condition only below objects of that type', () => {
    const result = run(
      '{ items { ... on Loan { guarantor { products { ... on Loan { rate } name } } } ... on Card { guarantor { products { name } } } } }',
      ['pii:read'],
    );
    const data = {
      items: [
        { __fg_typename: 'Card', guarantor: { products: [{ __fg_typename: 'Loan', name: 'c1' }] } },
        {
          __fg_typename: 'Loan',
          guarantor: {
            products: [
              { __fg_typename: 'Loan', name: 'l1' },
              { __fg_typename: 'Card', name: 'l2' },
            ],
          },
        },
      ],
    };
    const errors = applyRefusals(schema, data as never, result.refusals);
    assert.deepEqual(data, {
      items: [{ guarantor: { products: [{ name: 'c1' }] } }, { guarantor: { products: [{ name: 'l1', rate: null }, { name: 'l2' }] } }],
    });
    assert.deepEqual(
      errors.map((error) => error.path),
      [['items', 1, 'guarantor', 'products', 0, 'rate']],
    );
  });
});

describe('filterOperation on hostile documents', () => {
  it('walks fragments that spread each other twice over in linear time, recording each refusal once', () => {
    const depth = 40;
    const fragments = Array.from({ length: depth }, (_, index) =>
      index === depth - 1
        ? `fragment F${index} on Holder { id products { taxId } }`
        : `fragment F${index} on Holder { ...F${index + 1} ...F${index + 1} }`,
    ).join('\n');
    const result = run(`{ holder(id: "1") { ...F0 } }\n${fragments}`, []);
    assert.deepEqual(
      result.refusals.map((refusal) => refusal.path.join('.')),
      ['holder.products.@.taxId'],
    );
  });
});

describe('applyRefusals', () => {
  it('nulls each refused field at its concrete path, only on objects of the right type, and removes added keys', () => {
    const result = run('{ holder(id: "1") { products { ... on Loan { rate } name } } secret }', []);
    const data = {
      __fg_placeholder: 'Query',
      holder: {
        products: [
          { __fg_typename: 'Loan', name: 'a' },
          { __fg_typename: 'Card', name: 'b' },
          { __fg_typename: 'Loan', name: 'c' },
        ],
      },
    };
    const errors = applyRefusals(schema, data as never, result.refusals);
    assert.deepEqual(data, {
      holder: { products: [{ name: 'a', rate: null }, { name: 'b' }, { name: 'c', rate: null }] },
      secret: null,
    });
    assert.deepEqual(
      errors.map((error) => [error.path, error.extensions?.code]),
      [
        [['holder', 'products', 0, 'rate'], 'FORBIDDEN'],
        [['holder', 'products', 2, 'rate'], 'FORBIDDEN'],
        [['secret'], 'FORBIDDEN'],
      ],
    );
  });
});
