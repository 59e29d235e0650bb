// A subgraph's upstream auditor: a sink without room refuses the call before it is made (AUDIT_UNAVAILABLE), and a
// call made leaves one record of how it ended, by ids only, with the principal and request it belongs to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { badUserInput, FinGraphError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { createUpstreamAuditor, UpstreamAction } from '../../../lib/subgraph/audit.js';
import { openFullAuditSink, openTestAuditSink } from '../../support/auditSink.js';

const principal = { sub: 'staff_risk_acme', tenant: 'acme', customerId: undefined, scopes: [], amr: [] };
const request = { principal, requestId: 'req-0001-audit', traceId: '0123456789abcdef0123456789abcdef' };
const logger = createLogger('test', { level: 'silent' });
const at = new Date('2026-12-06T05:00:00.000Z');

describe('upstream auditor', () => {
  it('refuses with AUDIT_UNAVAILABLE, without calling the upstream, when the sink has no room or there is none', async () => {
    for (const sink of [await openFullAuditSink(), undefined]) {
      let called = false;
      const auditor = createUpstreamAuditor(sink, request, logger);
      await assert.rejects(
        auditor.record({ action: UpstreamAction.CreditPull, personalData: true, resource: 'customer:cus_1' }, async () => {
          called = true;
        }),
        (error: unknown) =>
          error instanceof FinGraphError && error.code === 'UPSTREAM_UNAVAILABLE' && error.extensions.reason === 'AUDIT_UNAVAILABLE',
      );
      assert.equal(called, false);
      assert.equal(sink?.queued ?? 0, 0, 'nothing was queued');
    }
  });

  it('records a success by the resource the answer names, and a failure by its code', async () => {
    const { sink, records } = await openTestAuditSink();
    const auditor = createUpstreamAuditor(sink, request, logger, () => at);
    const created = await auditor.record(
      {
        action: UpstreamAction.PaymentCreate,
        personalData: true,
        resource: 'account:acc_1',
        resourceOf: (payment: { id: string }) => `payment:${payment.id}`,
      },
      async () => ({ id: 'pay_1' }),
    );
    assert.deepEqual(created, { id: 'pay_1' });
    await assert.rejects(
      auditor.record({ action: UpstreamAction.PaymentCancel, personalData: false, resource: 'payment:pay_1' }, async () => {
        throw badUserInput('no', { reason: 'NOT_CANCELLABLE' });
      }),
    );
    await assert.rejects(
      auditor.record({ action: UpstreamAction.KycRead, personalData: true, resource: 'customer:cus_1' }, async () => {
        throw new Error('socket hang up');
      }),
    );
    assert.deepEqual(
      (await records()).map(({ type, action, resource, outcome, failureCode }) => ({ type, action, resource, outcome, failureCode })),
      [
        { type: 'upstream.call', action: 'payment.create', resource: 'payment:pay_1', outcome: 'success', failureCode: null },
        { type: 'upstream.call', action: 'payment.cancel', resource: 'payment:pay_1', outcome: 'failure', failureCode: 'BAD_USER_INPUT' },
        { type: 'upstream.call', action: 'kyc.read', resource: 'customer:cus_1', outcome: 'failure', failureCode: 'INTERNAL_SERVER_ERROR' },
      ],
    );
    const [first] = await records();
    assert.deepEqual(
      {
        at: first?.at,
        sub: first?.sub,
        tenant: first?.tenant,
        requestId: first?.requestId,
        traceId: first?.traceId,
        clientIp: first?.clientIp,
      },
      {
        at: at.toISOString(),
        sub: 'staff_risk_acme',
        tenant: 'acme',
        requestId: 'req-0001-audit',
        traceId: request.traceId,
        clientIp: null,
      },
    );
  });
});
