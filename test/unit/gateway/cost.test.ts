// The cost estimator and the actual-cost measure on a small schema composed as the real one is (@cost and @listSize
// from Federation's link, read from the supergraph): weights, slicing arguments, sized fields, nested lists, fragments
// counted once per selection as executed, @include/@skip, abstract types, a fragment bomb; the plan maxima; and the
// plugin in an Apollo Server, handing a later plugin (the rate limiter) each operation's estimate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { parse } from 'graphql';
import type { GatewayContext } from '../../../gateway/context.js';
import {
  actualCost,
  CostRulesError,
  createCostPlugin,
  createRequestCostTally,
  DEFAULT_MAX_COST,
  estimateCost,
  findUnsizedLists,
  maximumFor,
  type OperationCost,
  operationCost,
  readCostLimits,
  readCostRules,
} from '../../../gateway/plugins/cost/index.js';
import { ConfigError } from '../../../lib/config/env.js';
import { formatError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';

const shopSchema = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
  type Query {
    shop(id: ID!): Shop @cost(weight: 5)
    shops(first: Int!): [Shop!] @listSize(slicingArguments: ["first"])
    search(first: Int = 10): ItemConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    node(id: ID!): Node
    countries: [String!]! @listSize(assumedSize: 3)
  }
  interface Node { id: ID! }
  type Shop implements Node @key(fields: "id") {
    id: ID!
    name: String
    owner: Person
    items(first: Int = 2): [Item!] @cost(weight: 7) @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
  }
  type Item implements Node {
    id: ID!
    price: Int @cost(weight: 3)
    tags: [String!] @listSize(assumedSize: 4)
    shop: Shop
  }
  type Person implements Node { id: ID! name: String }
  type ItemConnection { edges: [ItemEdge!]! total: Int }
  type ItemEdge { node: Item! }
`;

function compose(typeDefs: string) {
  const result = composeServices([{ name: 'shop', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(typeDefs) }]);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors?.map((error) => error.message)));
  const sdl = result.supergraphSdl as string;
  return { schema: Supergraph.build(sdl).apiSchema().toGraphQLJSSchema(), rules: readCostRules(parse(sdl)) };
}

const shop = compose(shopSchema);
const estimate = (query: string, variables: Record<string, unknown> = {}) => estimateCost({ ...shop, document: parse(query), variables });

describe('cost estimate', () => {
  it('reads the weights and list sizes composition wrote into the supergraph', () => {
    assert.deepEqual(Object.fromEntries(shop.rules.fieldWeights), { 'Query.shop': 5, 'Shop.items': 7, 'Item.price': 3 });
    assert.deepEqual(shop.rules.listSizes.get('Query.search'), {
      assumedSize: undefined,
      slicingArguments: ['first'],
      sizedFields: ['edges'],
      requireOneSlicingArgument: false,
    });
    assert.deepEqual(findUnsizedLists(shop.schema, shop.rules), []);
  });

  it('charges a field its @cost instead of its type, an object 1 and a leaf 0', () => {
    assert.equal(estimate('{ shop(id: 1) { id name } }'), 5);
    assert.equal(estimate('{ shop(id: 1) { owner { name } } }'), 6);
    assert.equal(estimate('{ shop(id: 1) { items(first: 1) { price } } }'), 5 + 7 + 1 * (1 + 3));
  });

  it('sizes a list by its slicing argument, a variable, or the argument’s default, and an assumed size otherwise', () => {
    assert.equal(estimate('{ shops(first: 3) { id } }'), 3);
    assert.equal(estimate('query ($n: Int!) { shops(first: $n) { id } }', { n: 6 }), 6);
    assert.equal(estimate('{ shop(id: 1) { items { id } } }'), 5 + 7 + 2 * 1, 'first defaults to 2');
    assert.equal(estimate('{ shop(id: 1) { items(first: 1) { tags } } }'), 5 + 7 + 1 * (1 + 4 * 0), 'a list of leaves is free');
    assert.equal(estimate('{ shops(first: -5) { id } }'), 0, 'a negative size counts as none');
  });

  it('sizes the fields sizedFields names (a connection’s edges) by the field returning them', () => {
    assert.equal(estimate('{ search(first: 5) { edges { node { price } } total } }'), 1 + 5 * (1 + (1 + 3)));
    assert.equal(estimate('{ search { edges { node { id } } } }'), 1 + 10 * (1 + 1), 'the default first, 10');
  });

  it('multiplies nested lists', () => {
    // Each of 3 shops: itself (1) and its items (7 for the call, then 4 × (1 + price 3)).
    assert.equal(estimate('{ shops(first: 3) { items(first: 4) { price } } }'), 3 * (1 + 7 + 4 * (1 + 3)));
    assert.equal(
      estimate('{ shops(first: 10) { items(first: 10) { shop { items(first: 10) { id } } } } }'),
      10 * (1 + 7 + 10 * (1 + (1 + 7 + 10 * 1))),
    );
  });

  it('counts fragments and inline fragments once per selection, as execution merges them; aliases each time', () => {
    assert.equal(estimate('{ shop(id: 1) { ...F ...F } } fragment F on Shop { owner { name } }'), 6);
    assert.equal(estimate('{ shop(id: 1) { ... on Shop { owner { name } } owner { id } ...F } } fragment F on Shop { owner { id } }'), 6);
    assert.equal(estimate('{ shop(id: 1) { id } shop(id: 1) { name } }'), 5, 'one response key is resolved once');
    assert.equal(estimate('{ a: shop(id: 1) { id } b: shop(id: 2) { id } }'), 10, 'each alias is resolved');
    assert.equal(
      estimate('{ shops(first: 2) { ...A } } fragment A on Shop { ...B items(first: 1) { id } } fragment B on Shop { owner { id } }'),
      2 * (1 + 1 + 7 + 1),
    );
  });

  it('leaves out what @skip and @include leave out, judged on the variables', () => {
    const query =
      'query ($s: Boolean!, $i: Boolean = true) { shop(id: 1) { owner @skip(if: $s) { name } ...F @include(if: $i) } } fragment F on Shop { items(first: 2) { id } }';
    assert.equal(estimate(query, { s: true, i: false }), 5);
    assert.equal(estimate(query, { s: false, i: false }), 6);
    assert.equal(estimate(query, { s: false, i: true }), 6 + 7 + 2);
    assert.equal(estimate('{ shop(id: 1) { ... @include(if: false) { owner { id } } } }'), 5);
  });

  it('charges an abstract type as its most expensive possible type, and introspection nothing', () => {
    assert.equal(estimate('{ node(id: 1) { ... on Shop { items(first: 10) { id } } ... on Item { price } } }'), 1 + (7 + 10 * 1));
    assert.equal(estimate('{ __typename __schema { types { name fields { name } } } }'), 0);
  });

  it('estimates a fragment bomb in one pass, its cost held at a finite ceiling', () => {
    const levels = 80;
    const fragments = [`fragment S0 on Shop { id }`];
    for (let level = 1; level <= levels; level += 1) {
      fragments.push(`fragment S${level} on Shop { items(first: 2) { x: shop { ...S${level - 1} } y: shop { ...S${level - 1} } } }`);
    }
    const cost = estimate(`{ shop(id: 1) { ...S${levels} } } ${fragments.join(' ')}`);
    assert.equal(cost, Number.MAX_SAFE_INTEGER);
  });
});

describe('actual cost', () => {
  const actual = (query: string, data: Record<string, unknown>, variables: Record<string, unknown> = {}) =>
    actualCost({ ...shop, document: parse(query), variables, data });

  it('charges each field the response holds, each list at its returned length', () => {
    const query = '{ shops(first: 3) { items(first: 4) { price } } }';
    const data = { shops: [{ items: [{ price: 1 }] }, { items: [] }, { items: null }] };
    // Shop 1: 1 + items (7 + 1 × (1 + 3)); shops 2 and 3: 1 + 7 (the call was made, whatever it returned).
    assert.equal(actual(query, data), 12 + 8 + 8);
    assert.ok(actual(query, data) < estimate(query));
  });

  it('charges nothing for a field absent from the response, and a null object its own weight only', () => {
    assert.equal(actual('query ($s: Boolean!) { shop(id: 1) { owner @skip(if: $s) { name } } }', { shop: {} }, { s: true }), 5);
    assert.equal(actual('{ shop(id: 1) { owner { name } } }', { shop: null }), 5);
    assert.equal(actual('{ search { edges { node { price } } } }', { search: { edges: [{ node: { price: 2 } }] } }), 1 + 1 * (1 + 1 + 3));
    assert.equal(actualCost({ ...shop, document: parse('{ shop(id: 1) { id } }'), variables: {}, data: null }), 0);
  });

  it('tells of a list longer than its assumed size, and of no sliced list', () => {
    const told: Array<[string, number, number]> = [];
    const onOverAssumedSize = (coordinate: string, length: number, assumedSize: number) => told.push([coordinate, length, assumedSize]);
    const query = '{ countries shops(first: 1) { id } }';
    actualCost({
      ...shop,
      document: parse(query),
      variables: {},
      data: { countries: ['a', 'b', 'c'], shops: [{ id: 1 }, { id: 2 }] },
      onOverAssumedSize,
    });
    assert.deepEqual(told, []);
    actualCost({ ...shop, document: parse(query), variables: {}, data: { countries: ['a', 'b', 'c', 'd'], shops: [] }, onOverAssumedSize });
    assert.deepEqual(told, [['Query.countries', 4, 3]]);
  });
});

describe('cost rules', () => {
  it('names every list no rule sizes', () => {
    const unsized = compose(shopSchema.replace('countries: [String!]! @listSize(assumedSize: 3)', 'countries: [String!]!'));
    assert.deepEqual(
      findUnsizedLists(unsized.schema, unsized.rules).map((problem) => problem.split(' ')[0]),
      ['Query.countries'],
    );
    // A connection whose field sizes nothing leaves its edges unsized.
    const connection = compose(
      shopSchema.replace('@listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)', ''),
    );
    assert.deepEqual(
      findUnsizedLists(connection.schema, connection.rules).map((problem) => problem.split(' ')[0]),
      ['ItemConnection.edges'],
    );
  });

  it('leaves a malformed @listSize to composition, and refuses a slicing argument that may be missing with nothing to fall back on', () => {
    const shops = 'shops(first: Int!): [Shop!] @listSize(slicingArguments: ["first"])';
    const compositionErrors = (replacement: string) =>
      (
        composeServices([{ name: 'shop', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(shopSchema.replace(shops, replacement)) }])
          .errors ?? []
      ).map((error) => error.message);
    assert.match(
      compositionErrors('shops(first: Int!): [Shop!] @listSize(slicingArguments: ["last"])').join(),
      /Slicing argument "last" is not an argument/,
    );
    assert.match(compositionErrors('shops(first: String!): [Shop!] @listSize(slicingArguments: ["first"])').join(), /must be Int/);
    assert.match(compositionErrors('shops(first: Int!): Shop @listSize(assumedSize: 2)').join(), /is not a list/);
    const problems = (replacement: string) => {
      const edited = compose(shopSchema.replace(shops, replacement));
      return findUnsizedLists(edited.schema, edited.rules);
    };
    assert.match(
      problems('shops(first: Int): [Shop!] @listSize(slicingArguments: ["first"])')[0] ?? '',
      /Query\.shops: slicing argument first may be left out/,
    );
    assert.deepEqual(problems('shops(first: Int): [Shop!] @listSize(slicingArguments: ["first"], assumedSize: 50)'), []);
    assert.deepEqual(problems('shops(first: Int = 5): [Shop!] @listSize(slicingArguments: ["first"])'), []);
  });

  it('refuses a @cost it would not charge (on an argument) rather than ignore it', () => {
    const { supergraphSdl } = composeServices([
      {
        name: 'shop',
        url: 'http://127.0.0.1:1/graphql',
        typeDefs: parse(shopSchema.replace('shops(first: Int!)', 'shops(first: Int! @cost(weight: 2))')),
      },
    ]);
    assert.throws(
      () => readCostRules(parse(supergraphSdl as string)),
      (error: unknown) => error instanceof CostRulesError && /Query\.shops\(first:\)/.test(error.message),
    );
  });
});

describe('cost maxima', () => {
  it('holds an operation to its token’s plan’s maximum when the plan is listed, else to the default', () => {
    const limits = readCostLimits({ COST_MAX_PER_OPERATION: '3000', COST_PLAN_MAXIMA: 'free=1000, business=20000' });
    assert.equal(limits.maxPerOperation, 3000);
    assert.equal(maximumFor(limits, 'free'), 1000);
    assert.equal(maximumFor(limits, 'business'), 20000);
    assert.equal(maximumFor(limits, 'unknown'), 3000);
    assert.equal(maximumFor(limits, undefined), 3000);
    assert.deepEqual(readCostLimits({}), { maxPerOperation: DEFAULT_MAX_COST, planMaxima: new Map() });
  });

  it('refuses a malformed maximum at start-up, naming the variable', () => {
    for (const value of ['free', 'free=0', 'free=10,free=20', 'Free=10', 'free=10=2', 'free=2000000']) {
      assert.throws(
        () => readCostLimits({ COST_PLAN_MAXIMA: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'COST_PLAN_MAXIMA',
        value,
      );
    }
    for (const value of ['0', '-1', 'lots', '1000001']) {
      assert.throws(
        () => readCostLimits({ COST_MAX_PER_OPERATION: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'COST_MAX_PER_OPERATION',
        value,
      );
    }
  });
});

describe('cost plugin', () => {
  it('hands a plugin registered after it (the rate limiter) each operation’s estimate before execution, and refuses above the maximum', async () => {
    const seen: Array<OperationCost | undefined> = [];
    const probe: ApolloServerPlugin<GatewayContext> = {
      async requestDidStart() {
        return {
          async didResolveOperation(requestContext) {
            seen.push(operationCost(requestContext.contextValue));
          },
        };
      },
    };
    const cost = createCostPlugin({
      rules: shop.rules,
      maxPerOperation: 20,
      planMaxima: new Map([['tiny', 4]]),
      logger: createLogger('test', { level: 'silent' }),
    });
    // Formatted as the gateway formats errors (lib/errors), so the refusal is what a client would see.
    const server = new ApolloServer<GatewayContext>({
      schema: shop.schema,
      plugins: [cost, probe],
      formatError,
      includeStacktraceInErrorResponses: false,
    });
    await server.start();
    try {
      const run = async (query: string, plan?: string) => {
        const tally = createRequestCostTally();
        const principal = { sub: 's', tenant: 'acme', customerId: undefined, scopes: [], amr: ['pwd'], ...(plan ? { plan } : {}) };
        const response = await server.executeOperation(
          { query, extensions: { cost: true } },
          { contextValue: { principal, requestId: 'r', cost: tally } },
        );
        assert.equal(response.body.kind, 'single');
        return { tally, status: response.http.status, result: response.body.kind === 'single' ? response.body.singleResult : undefined };
      };
      // The schema has no resolvers: shop is null, so the actual cost is shop's own weight alone.
      const served = await run('{ shop(id: 1) { owner { name } } }');
      assert.deepEqual(seen.at(-1), { estimated: 6, max: 20, actual: undefined });
      assert.deepEqual(served.result?.extensions?.cost, { estimated: 6, max: 20, actual: 5 });
      assert.deepEqual(served.tally, { operations: 1, estimated: 6, actual: 5 });

      const refused = await run('{ shops(first: 30) { id } }');
      assert.deepEqual(seen.at(-1), { estimated: 30, max: 20, actual: undefined }, 'the limiter may charge a refused estimate');
      assert.equal(refused.status, 400);
      assert.deepEqual(
        refused.result?.errors?.map((error) => error.extensions),
        [{ code: 'QUERY_TOO_COMPLEX', actual: 30, limit: 'cost', max: 20 }],
      );
      assert.deepEqual(refused.result?.extensions?.cost, { estimated: 30, max: 20 });
      assert.deepEqual(refused.tally, { operations: 1, estimated: 30, actual: undefined });

      const tiny = await run('{ shop(id: 1) { owner { name } } }', 'tiny');
      assert.equal(tiny.result?.errors?.[0]?.extensions?.max, 4);
    } finally {
      await server.stop();
    }
  });
});
