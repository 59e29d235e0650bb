// The permissible-purpose table: every purpose of the schema has a rule, consent is needed exactly for the two the
// issue names, and a HARD inquiry is refused for the soft-only purposes with BAD_USER_INPUT on `inquiry`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type EnumTypeDefinitionNode, parse } from 'graphql';
import { fromRoot } from '../../../lib/config/paths.js';
import { FinGraphError } from '../../../lib/errors/index.js';
import { permissiblePurposes } from '../../../subgraphs/credit/domain.js';
import { assertInquiryAllowed, purposeRules } from '../../../subgraphs/credit/purposes.js';

describe('permissible purposes', () => {
  it('has one rule for each purpose the schema declares', () => {
    const schema = parse(readFileSync(fromRoot('subgraphs', 'credit', 'schema.graphql'), 'utf8'));
    const declared = schema.definitions.find(
      (node): node is EnumTypeDefinitionNode => node.kind === 'EnumTypeDefinition' && node.name.value === 'PermissiblePurpose',
    );
    assert.deepEqual(
      declared?.values?.map((value) => value.name.value),
      [...permissiblePurposes],
    );
    assert.deepEqual(Object.keys(purposeRules).sort(), [...permissiblePurposes].sort());
  });

  it('needs consent for WRITTEN_INSTRUCTION and EMPLOYMENT only', () => {
    assert.deepEqual(
      permissiblePurposes.filter((purpose) => purposeRules[purpose].needsConsent),
      ['WRITTEN_INSTRUCTION', 'EMPLOYMENT'],
    );
  });

  it('allows HARD only for CREDIT_TRANSACTION and WRITTEN_INSTRUCTION, and SOFT for every purpose', () => {
    for (const purpose of permissiblePurposes) {
      assert.doesNotThrow(() => assertInquiryAllowed(purpose, 'SOFT'));
      if (purpose === 'CREDIT_TRANSACTION' || purpose === 'WRITTEN_INSTRUCTION') {
        assert.doesNotThrow(() => assertInquiryAllowed(purpose, 'HARD'));
      } else {
        assert.throws(
          () => assertInquiryAllowed(purpose, 'HARD'),
          (error: unknown) => error instanceof FinGraphError && error.code === 'BAD_USER_INPUT' && error.extensions.argument === 'inquiry',
          purpose,
        );
      }
    }
  });
});
