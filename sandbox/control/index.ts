// The sandbox's control API (/_control): switch providers down, slow or failing, read the call counters, expire or
// restore consents, and reset everything to the seeded state. Not a provider: its calls are not counted.
import { z } from 'zod';
import type { Behaviour } from '../behaviour.js';
import type { ConsentState } from '../consents.js';
import { json } from '../http/io.js';
import { matchRoute } from '../http/routes.js';
import { type Provider, type ProviderId, providerIds, type SandboxResponse } from '../http/types.js';
import type { LedgerBook } from '../seed/ledger.js';
import { isoSeconds } from '../seed/time.js';
import type { SeedConsent } from '../seed/types.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

export const controlBasePath = '/_control';

const behaviourPatch = z.strictObject({
  down: z.boolean().optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  failureRate: z.number().min(0).max(1).optional(),
});

interface ControlRoute {
  readonly method: 'GET' | 'POST';
  readonly template: string;
  handle(params: Record<string, string>, body: string): SandboxResponse;
}

export interface Control {
  handle(method: string, path: string, body: string): SandboxResponse;
}

const controlError = (status: number, message: string) => json(status, { error: { message } });

const webhookTarget = z.strictObject({ url: z.url({ protocol: /^https?$/ }).nullable() });

export function createControl(
  behaviour: Behaviour,
  consents: ConsentState,
  providers: readonly Provider[],
  outbox: WebhookOutbox,
  ledgers: LedgerBook,
): Control {
  const isProvider = (id: string): id is ProviderId => (providerIds as readonly string[]).includes(id);
  const allSettings = () => Object.fromEntries(providerIds.map((id) => [id, behaviour.settings(id)]));
  const consentJson = (consent: SeedConsent) => ({
    consent_id: consent.id,
    expires_at: isoSeconds(consents.expiresAt(consent)),
    expired: consents.isExpired(consent),
  });
  const consentAction = (action: (id: string) => SeedConsent | undefined) => (params: Record<string, string>) => {
    const consent = action(params.consentId ?? '');
    return consent ? json(200, consentJson(consent)) : controlError(404, `No consent ${params.consentId ?? ''}`);
  };

  const routes: ControlRoute[] = [
    { method: 'GET', template: '/providers', handle: () => json(200, allSettings()) },
    {
      method: 'POST',
      template: '/providers/{provider}',
      handle(params, body) {
        const provider = params.provider ?? '';
        if (!isProvider(provider)) return controlError(404, `Unknown provider ${provider}; expected one of ${providerIds.join(', ')}`);
        let parsed: unknown;
        try {
          parsed = body.trim() === '' ? {} : JSON.parse(body);
        } catch {
          return controlError(400, 'Body must be JSON');
        }
        const patch = behaviourPatch.safeParse(parsed);
        if (!patch.success)
          return controlError(400, `Expected { down?: boolean, latencyMs?: integer >= 0, failureRate?: 0..1 }: ${patch.error.message}`);
        const { down, latencyMs, failureRate } = patch.data;
        return json(
          200,
          behaviour.configure(provider, {
            ...(down === undefined ? {} : { down }),
            ...(latencyMs === undefined ? {} : { latencyMs }),
            ...(failureRate === undefined ? {} : { failureRate }),
          }),
        );
      },
    },
    { method: 'GET', template: '/calls', handle: () => json(200, behaviour.calls()) },
    { method: 'POST', template: '/consents/{consentId}/expire', handle: consentAction((id) => consents.expire(id)) },
    { method: 'POST', template: '/consents/{consentId}/restore', handle: consentAction((id) => consents.restore(id)) },
    { method: 'GET', template: '/webhooks', handle: () => json(200, { deliveries: outbox.deliveries() }) },
    {
      method: 'POST',
      template: '/webhooks/{provider}',
      handle(params, body) {
        const provider = params.provider ?? '';
        if (!isProvider(provider)) return controlError(404, `Unknown provider ${provider}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return controlError(400, 'Body must be JSON');
        }
        const target = webhookTarget.safeParse(parsed);
        if (!target.success) return controlError(400, 'Expected { url: "http(s)://…" | null }');
        outbox.setTarget(provider, target.data.url ?? undefined);
        return json(200, { provider, url: outbox.target(provider) ?? null });
      },
    },
    {
      method: 'POST',
      template: '/reset',
      handle() {
        behaviour.reset();
        consents.reset();
        outbox.reset();
        // Payments booked by either payment provider live in the banks' shared ledgers: dropped once, here.
        ledgers.resetBookings();
        for (const provider of providers) provider.reset?.();
        return json(200, { status: 'reset' });
      },
    },
  ];

  return {
    handle(method, path, body) {
      const match = matchRoute(routes, method, path);
      if (match) return match.route.handle(match.params, body);
      // A provider's own switches: /_control/<provider id>/...
      const provider = providers.find((candidate) => path.startsWith(`/${candidate.id}/`));
      const own = provider?.control && matchRoute(provider.control, method, path.slice(provider.id.length + 1));
      return own ? own.route.handle(own.params, body) : controlError(404, `No control route ${method} ${path}`);
    },
  };
}
