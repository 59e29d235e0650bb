// The shape limits' counting, alone: depth, aliases and root fields through fragments (each use counted, each
// fragment measured once), cycles that cannot loop, directives per place, tokens as graphql's parser counts them,
// the order the limits are checked in, the contract's operations within every default, and the configuration.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type DocumentNode, getIntrospectionQuery, getOperationAST, type OperationDefinitionNode, parse } from 'graphql';
import { readHygieneOptions } from '../../../gateway/plugins/hygiene/index.js';
import { checkSource } from '../../../gateway/plugins/limits/check.js';
import {
  countTokens,
  createLimitsPlugin,
  defaultLimits,
  type LimitsOptions,
  maxDirectivesPerPlace,
  measureOperation,
  readLimitsOptions,
} from '../../../gateway/plugins/limits/index.js';
import { countParsedTokens } from '../../../gateway/plugins/limits/measure.js';
import { ConfigError } from '../../../lib/config/env.js';
import { fromRoot } from '../../../lib/config/paths.js';
import { FinGraphError, withoutSuggestions } from '../../../lib/errors/index.js';
import { contractOperation } from '../../support/contract.js';

function shapeOf(source: string) {
  const document: DocumentNode = parse(source);
  return measureOperation(document, getOperationAST(document) as OperationDefinitionNode);
}

/** The refusal `checkSource` throws under `limits`, as the client would see its extensions. */
function refusal(source: string, limits: LimitsOptions = defaultLimits): Record<string, unknown> {
  try {
    checkSource(limits, source);
  } catch (error) {
    assert.ok(error instanceof FinGraphError, 'a FinGraphError');
    return { code: error.code, limit: error.extensions.limit, max: error.extensions.max, actual: error.extensions.actual };
  }
  assert.fail(`not refused: ${source.slice(0, 80)}`);
}

const nested = (levels: number) => `${'{ a '.repeat(levels - 1)}{ b }${' }'.repeat(levels - 1)}`;

describe('shape limits: counting', () => {
  it('counts depth in fields, through named and inline fragments', () => {
    assert.equal(shapeOf('{ a }').depth, 1);
    assert.equal(shapeOf('{ a { b } }').depth, 2);
    assert.equal(shapeOf(`query ${nested(12)}`).depth, 12);
    assert.equal(shapeOf('{ a { ...F } } fragment F on T { b { ... on U { c { d } } } }').depth, 4);
    assert.equal(shapeOf('{ ... { ... { a { ... on T { b } } } } }').depth, 2);
  });

  it('counts aliases and root fields at each use of a fragment', () => {
    const shape = shapeOf('{ x: a ...F ...F } fragment F on Query { y: b { z: c } d }');
    assert.equal(shape.aliases, 1 + 2 * 2);
    assert.equal(shape.rootFields, 1 + 2 * 2);
  });

  it('measures a fragment bomb by its expansion, in time linear in the document', () => {
    const levels = 60;
    const fragments = Array.from({ length: levels }, (_, index) =>
      index === levels - 1
        ? `fragment F${index} on Query { i: institutions { id } }`
        : `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`,
    ).join(' ');
    const shape = shapeOf(`{ ...F0 } ${fragments}`);
    // 2^59 uses of one aliased root field: past what a double counts exactly, so reported as the largest safe integer.
    assert.equal(shape.aliases, Number.MAX_SAFE_INTEGER);
    assert.equal(shape.rootFields, Number.MAX_SAFE_INTEGER);
    assert.equal(shapeOf(`{ ...F40 } ${fragments}`).rootFields, 2 ** 19);
  });

  it('cannot loop on a fragment cycle (invalid GraphQL, measured before validation refuses it)', () => {
    const shape = shapeOf('{ ...A } fragment A on Query { a { ...B } } fragment B on T { b { ...A } }');
    assert.equal(shape.depth, 2);
    assert.equal(shapeOf('{ ...A } fragment A on Query { ...A x: a }').aliases, 1);
  });

  it('counts directives per place on the document as written', () => {
    assert.equal(maxDirectivesPerPlace(parse('{ a }')), 0);
    assert.equal(maxDirectivesPerPlace(parse('query Q($v: Int @d @d @d) @d { a @d @d ... @d { b @d @d @d @d } ...F @d }')), 4);
    assert.equal(maxDirectivesPerPlace(parse('{ ...F } fragment F on T @d @d @d @d @d { a }')), 5);
  });

  it('counts tokens as graphql’s parser does (comments excluded), from text or from a parsed document', () => {
    const source = '# a comment\n{ a(x: "y z", n: [1, 2.5]) { ... on T { b @include(if: $v) } } } # another';
    const tokens = countTokens(source) as number;
    assert.equal(tokens, countParsedTokens(parse(source)));
    assert.doesNotThrow(() => parse(source, { maxTokens: tokens }));
    assert.throws(() => parse(source, { maxTokens: tokens - 1 }), /tokens/);
    assert.equal(countTokens(source, 3), 4, 'stops one past the bound');
    assert.equal(countTokens('{ a "unterminated }'), undefined, 'a text that does not lex is left to the parser');
  });
});

describe('shape limits: checks', () => {
  it('measures a document once: the same text within the limits is not measured again, one over them always is', () => {
    const plugin = createLimitsPlugin({
      maxDepth: 3,
      maxAliases: 2,
      maxRootFields: 2,
      maxDirectivesPerField: 2,
      maxTokens: 30,
      maxDocumentBytes: 200,
    });
    const within = '{ a { b } }';
    const first = plugin.checkSource(within);
    assert.ok(first);
    assert.equal(plugin.checkSource(within), first, 'the document the first check parsed, not a second parse');
    const over = '{ a { b { c { d } } } }';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      assert.throws(
        () => plugin.checkSource(over),
        (error: unknown) => error instanceof FinGraphError && error.extensions.limit === 'depth',
      );
    }
  });

  it('refuses each limit one past its maximum, naming the limit and its figures', () => {
    const limits: LimitsOptions = {
      maxDepth: 3,
      maxAliases: 2,
      maxRootFields: 2,
      maxDirectivesPerField: 2,
      maxTokens: 30,
      maxDocumentBytes: 200,
    };
    const cases: Array<[string, string, string, number]> = [
      ['{ a { b { c } } }', '{ a { b { c { d } } } }', 'depth', 4],
      ['{ x: a { y: b } }', '{ x: a { y: b z: c } }', 'aliases', 3],
      ['{ a b }', '{ a b c }', 'rootFields', 3],
      ['{ a @x @y }', '{ a @x @y @z }', 'directivesPerField', 3],
      [`{ a { ${'b '.repeat(25)}} }`, `{ a { ${'b '.repeat(26)}} }`, 'tokens', 31],
      [`{ a }#${'-'.repeat(194)}`, `{ a }#${'-'.repeat(195)}`, 'documentBytes', 201],
    ];
    for (const [under, over, limit, actual] of cases) {
      assert.doesNotThrow(() => checkSource(limits, under), `${limit} at its maximum passes`);
      const max = { depth: 3, aliases: 2, rootFields: 2, directivesPerField: 2, tokens: 30, documentBytes: 200 }[limit];
      assert.deepEqual(refusal(over, limits), { code: 'QUERY_TOO_COMPLEX', limit, max, actual });
    }
  });

  it('judges the text before parsing it: an oversized document is refused by its size, a long one by its tokens', () => {
    assert.equal(refusal(`{ ${'a '.repeat(20_000)}}`).limit, 'documentBytes');
    assert.deepEqual(refusal(`{ ${'a '.repeat(1_000)}}`), { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 1000, actual: 1002 });
    assert.equal(checkSource(defaultLimits, '{ a '), undefined, 'a syntax error is left to Apollo Server');
  });

  it('holds introspection to the same depth: graphql’s full introspection query is 15 deep', () => {
    assert.equal(shapeOf(getIntrospectionQuery()).depth, 15);
    assert.deepEqual(refusal(getIntrospectionQuery()), { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 10, actual: 15 });
    assert.doesNotThrow(() => checkSource({ ...defaultLimits, maxDepth: 15 }, getIntrospectionQuery()));
  });

  it('passes every contract operation with room under each default', () => {
    const names = readdirSync(fromRoot('test', 'contract', 'operations')).map((file) => file.replace(/\.graphql$/, ''));
    assert.equal(names.length, 7);
    for (const name of names) {
      const source = contractOperation(name);
      assert.ok(checkSource(defaultLimits, source), name);
      const shape = shapeOf(source);
      assert.ok(shape.depth <= defaultLimits.maxDepth - 3, `${name}: depth ${shape.depth}`);
      assert.ok((countTokens(source) as number) * 5 <= defaultLimits.maxTokens, name);
      assert.ok(Buffer.byteLength(source) * 10 <= defaultLimits.maxDocumentBytes, name);
      assert.equal(shape.aliases, 0);
      assert.equal(shape.rootFields, 1);
    }
  });
});

describe('shape limits and hygiene: configuration', () => {
  const refusedFor = (variable: string) => (error: unknown) => error instanceof ConfigError && error.variable === variable;

  it('reads each limit, with the documented defaults', () => {
    assert.deepEqual(readLimitsOptions({}), defaultLimits);
    assert.deepEqual(readHygieneOptions({}), { corsOrigins: [], maxBatchSize: 0, maxBodyBytes: 1_048_576 });
    const given = readLimitsOptions({
      GATEWAY_MAX_DEPTH: '12',
      GATEWAY_MAX_ALIASES: '0',
      GATEWAY_MAX_ROOT_FIELDS: '3',
      GATEWAY_MAX_DIRECTIVES_PER_FIELD: '4',
      GATEWAY_MAX_TOKENS: '2000',
      GATEWAY_MAX_DOCUMENT_BYTES: '32768',
    });
    assert.deepEqual(given, {
      maxDepth: 12,
      maxAliases: 0,
      maxRootFields: 3,
      maxDirectivesPerField: 4,
      maxTokens: 2000,
      maxDocumentBytes: 32768,
    });
  });

  it('refuses a limit that is not a whole number in its range', () => {
    const bad: Array<[string, string]> = [
      ['GATEWAY_MAX_DEPTH', '0'],
      ['GATEWAY_MAX_DEPTH', '10.5'],
      ['GATEWAY_MAX_ALIASES', '-1'],
      ['GATEWAY_MAX_ROOT_FIELDS', 'many'],
      ['GATEWAY_MAX_DIRECTIVES_PER_FIELD', '0'],
      ['GATEWAY_MAX_TOKENS', '5'],
      ['GATEWAY_MAX_DOCUMENT_BYTES', '100'],
    ];
    for (const [variable, value] of bad) assert.throws(() => readLimitsOptions({ [variable]: value }), refusedFor(variable), variable);
    assert.throws(() => readHygieneOptions({ GATEWAY_MAX_BATCH_SIZE: '101' }), refusedFor('GATEWAY_MAX_BATCH_SIZE'));
    assert.throws(() => readHygieneOptions({ GATEWAY_MAX_BODY_BYTES: '1000' }), refusedFor('GATEWAY_MAX_BODY_BYTES'));
  });

  it('accepts only exact origins in CORS_ORIGINS', () => {
    assert.deepEqual(readHygieneOptions({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).corsOrigins, [
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    for (const value of [
      '*',
      'null',
      'https://app.example.com/',
      'https://app.example.com/path',
      'app.example.com',
      'ftp://files.example.com',
    ]) {
      assert.throws(() => readHygieneOptions({ CORS_ORIGINS: value }), refusedFor('CORS_ORIGINS'), value);
    }
  });
});

describe('suggestions', () => {
  it('are cut from every message graphql writes them into', () => {
    assert.equal(
      withoutSuggestions('Cannot query field "custmer" on type "Query". Did you mean "customer" or "customers"?'),
      'Cannot query field "custmer" on type "Query".',
    );
    assert.equal(
      withoutSuggestions(
        'Variable "$p" got invalid value "EMPLOYMEN"; Value "EMPLOYMEN" does not exist in "PermissiblePurpose" enum. Did you mean the enum value "EMPLOYMENT"?',
      ),
      'Variable "$p" got invalid value "EMPLOYMEN"; Value "EMPLOYMEN" does not exist in "PermissiblePurpose" enum.',
    );
    assert.equal(withoutSuggestions('Unknown argument "firts".'), 'Unknown argument "firts".');
  });
});
