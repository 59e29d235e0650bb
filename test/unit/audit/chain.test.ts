// The hash chain and its verifier over lines in memory: a written chain verifies; an edited, deleted, swapped,
// duplicated or re-hashed record is found and named by line and sequence number.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditChain, type AuditRecord, canonicalJson, genesisHash, recordHash, verifyLines } from '../../../lib/audit/index.js';
import { auditEvent } from './fixtures.js';

function chainOf(count: number): string[] {
  const chain = new AuditChain('gateway-1');
  return Array.from({ length: count }, (_, index) => JSON.stringify(chain.link(auditEvent(index + 1))));
}

function problemOf(lines: string[]) {
  const result = verifyLines(lines);
  assert.equal(result.ok, false, 'the verifier should have found a problem');
  return result.ok ? undefined : result.problem;
}

describe('audit chain', () => {
  it('hashes canonical JSON, whatever the order of the keys', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2 }] }), '{"a":[true,null,{"c":2,"d":"x"}],"b":1}');
    const chain = new AuditChain('s');
    const record = chain.link(auditEvent(1));
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as AuditRecord;
    assert.equal(recordHash(reordered), record.hash);
  });

  it('links each record to the one before, from the genesis hash', () => {
    const chain = new AuditChain('gateway-1');
    const first = chain.link(auditEvent(1));
    const second = chain.link(auditEvent(2));
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, genesisHash);
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    assert.deepEqual(chain.position, { seq: 2, hash: second.hash });
  });

  it('refuses a field nobody listed, so nothing unlisted reaches the trail', () => {
    const chain = new AuditChain('s');
    const withExtra = { ...auditEvent(1), taxId: '123-45-6789' };
    assert.throws(() => chain.link(withExtra));
    assert.throws(() => chain.link(auditEvent(1, { userAgent: 'x'.repeat(257) })));
    assert.deepEqual(chain.position.seq, 0, 'a refused event takes no place in the chain');
  });

  it('verifies a written chain, with or without a final newline', () => {
    const lines = chainOf(10);
    const result = verifyLines(lines);
    assert.ok(result.ok);
    assert.equal(result.records, 10);
    assert.equal(result.stream, 'gateway-1');
    assert.ok(verifyLines([...lines, '']).ok);
  });

  it('names an edited record', () => {
    const lines = chainOf(10);
    const edited = JSON.parse(lines[4]!) as AuditRecord;
    lines[4] = JSON.stringify({ ...edited, outcome: 'success', failureCode: null, sub: 'someone_else' });
    const problem = problemOf(lines);
    assert.equal(problem?.kind, 'tampered');
    assert.equal(problem?.line, 5);
    assert.equal(problem?.seq, 5);
    assert.match(problem?.message ?? '', /record 5 does not match its hash/);
  });

  it('names the record after one that was edited and re-hashed', () => {
    const lines = chainOf(10);
    const { hash: _old, ...edited } = { ...(JSON.parse(lines[4]!) as AuditRecord), sub: 'someone_else' };
    lines[4] = JSON.stringify({ ...edited, hash: recordHash(edited) });
    const problem = problemOf(lines);
    assert.equal(problem?.kind, 'broken-link');
    assert.equal(problem?.seq, 6);
    assert.equal(problem?.line, 6);
  });

  it('names a deleted record', () => {
    const lines = chainOf(10);
    lines.splice(3, 1);
    const problem = problemOf(lines);
    assert.equal(problem?.kind, 'missing');
    assert.equal(problem?.expectedSeq, 4);
    assert.equal(problem?.seq, 5);
    assert.equal(problem?.line, 4);
    assert.match(problem?.message ?? '', /record 4 is missing before record 5/);
  });

  it('names two swapped records', () => {
    const lines = chainOf(10);
    [lines[6], lines[7]] = [lines[7]!, lines[6]!];
    const problem = problemOf(lines);
    assert.equal(problem?.kind, 'reordered');
    assert.equal(problem?.line, 7);
    assert.equal(problem?.seq, 8);
    assert.equal(problem?.expectedSeq, 7);
  });

  it('names a repeated record, a blank line and a record of another stream', () => {
    const lines = chainOf(5);
    assert.equal(problemOf([...lines, lines[4]!])?.kind, 'duplicate');
    assert.equal(problemOf([...lines.slice(0, 2), '', ...lines.slice(2)])?.kind, 'malformed');
    const other = new AuditChain('gateway-2');
    for (let index = 1; index <= 5; index += 1) other.link(auditEvent(index));
    const foreign = JSON.stringify(other.link(auditEvent(6)));
    assert.equal(problemOf([...lines, foreign])?.kind, 'foreign-stream');
  });

  it('refuses a chain whose first record does not start from the genesis hash', () => {
    const lines = chainOf(3);
    const { hash: _old, ...first } = { ...(JSON.parse(lines[0]!) as AuditRecord), prevHash: 'b'.repeat(64) };
    lines[0] = JSON.stringify({ ...first, hash: recordHash(first) });
    assert.equal(problemOf(lines)?.kind, 'broken-link');
  });
});
