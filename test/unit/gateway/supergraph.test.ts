// The supergraph the gateway serves: access rules read before `for: SECURITY` is removed, and a start refused
// whenever the rules could be lost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Supergraph } from '@apollo/federation-internals';
import { prepareSupergraph, SupergraphSecurityError } from '../../../gateway/supergraph.js';
import { composeSupergraph, readSubgraphSchema, SUPERGRAPH_PATH } from '../../../schema/compose.js';

const composed = readFileSync(SUPERGRAPH_PATH, 'utf8');

describe('prepareSupergraph', () => {
  it('reads every rule of the composed supergraph and hands the gateway one it accepts', () => {
    assert.throws(() => Supergraph.build(composed), /is for: SECURITY but is unsupported/, 'the gateway refuses the composed SDL as it is');
    const prepared = prepareSupergraph(composed);
    assert.doesNotThrow(() => Supergraph.build(prepared.servedSdl));
    assert.doesNotMatch(prepared.servedSdl, /for: SECURITY/);
    assert.deepEqual(prepared.rules.fields.get('Query.cashPosition')?.scopes, [[['treasury:read']]]);
    assert.deepEqual(prepared.rules.fields.get('Account.accountNumber')?.scopes, [[['pii:read']]]);
    assert.deepEqual(prepared.rules.types.get('Account')?.scopes, [[['accounts:read']]]);
    assert.equal(prepared.rules.types.get('Query')?.authenticated, true);
  });

  it('refuses to start when no rules can be read', () => {
    const onlyStepUp = composed.replace(/@requiresScopes\(scopes: \[\["[^)]*\)/g, '').replace(/\n\s*@authenticated\n/g, '\n');
    assert.doesNotMatch(onlyStepUp, /@requiresScopes\(scopes: \[\["/);
    assert.match(onlyStepUp, / @stepUp$/m);
    // The step-up rules that remain (initiatePayment, grantCreditConsent) protect nothing on their own.
    assert.throws(() => prepareSupergraph(onlyStepUp), /declares no access rules/);
    assert.throws(() => prepareSupergraph(onlyStepUp.replace(/ @stepUp$/gm, '')), SupergraphSecurityError);
    const withoutLinks = composed.replace(
      /\s*@link\(url: "https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\/v0\.1", for: SECURITY\)/g,
      '',
    );
    assert.throws(() => prepareSupergraph(withoutLinks), /declares no access rules/);
  });

  it('refuses a supergraph in which one subgraph lost its rules, though the others kept theirs', () => {
    const compose = (...strip: string[]) => {
      const result = composeSupergraph((name) => {
        const text = readSubgraphSchema(name);
        return strip.includes(name)
          ? text
              .replace(/@requiresScopes\(scopes: \[\[[^)]*\)/g, '')
              .replace(/ @authenticated\b/g, '')
              .replace(/ @stepUp$/gm, '')
          : text;
      });
      if (!result.ok) throw new Error(result.errors.join('\n'));
      return result.supergraphSdl;
    };
    assert.doesNotThrow(() => prepareSupergraph(compose()));
    assert.throws(() => prepareSupergraph(compose('payments')), /subgraph PAYMENTS declares no access rules/);
    // Credit's mutations stay under the @authenticated payments declares on the shared Mutation type, but its Customer
    // fields (the score, the report) would be open: refused.
    assert.throws(() => prepareSupergraph(compose('credit')), /subgraph CREDIT declares no access rules/);
  });

  it('refuses a security feature it does not enforce', () => {
    const withPolicy = composed.replace(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    );
    assert.throws(() => prepareSupergraph(withPolicy), /policy\/v0\.1 for: SECURITY, which FinGraph does not enforce/);
  });

  it('refuses a field that needs scopes but cannot be null', () => {
    const nonNull = composed.replace(/(cashPosition\(reportingCurrency: CurrencyCode!\): CashPosition)( [^\n]*@requiresScopes)/, '$1!$2');
    assert.notEqual(nonNull, composed);
    assert.throws(() => prepareSupergraph(nonNull), /must be nullable: Query\.cashPosition/);
  });
});
