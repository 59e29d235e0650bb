// Per-provider behaviour set through the control API (down, added latency, failure share), the default simulated
// latency, and the call counters. Latency and failure draws use Math.random: they are not seeded data.
import type { ProviderId } from './http/types.js';

export type LatencyMode = 'realistic' | 'none';

export interface ProviderBehaviour {
  /** Every call answers 503 in the provider's own error format. */
  down: boolean;
  /** Fixed delay added to every call, on top of the simulated latency. */
  latencyMs: number;
  /** Share of calls (0..1) that answer 500. */
  failureRate: number;
}

export type CallCounts = Record<ProviderId, Record<string, number>>;

export interface Behaviour {
  settings(provider: ProviderId): Readonly<ProviderBehaviour>;
  configure(provider: ProviderId, patch: Partial<ProviderBehaviour>): Readonly<ProviderBehaviour>;
  /** Counts a call under its route key, "GET /accounts/{AccountId}/balances". */
  count(provider: ProviderId, routeKey: string): void;
  calls(): CallCounts;
  /** How long to hold this call before answering (ms). */
  delayFor(provider: ProviderId): number;
  shouldFail(provider: ProviderId): boolean;
  reset(): void;
}

const normal: Readonly<ProviderBehaviour> = { down: false, latencyMs: 0, failureRate: 0 };

export function createBehaviour(providers: readonly ProviderId[], latency: LatencyMode, random: () => number = Math.random): Behaviour {
  const settings = new Map<ProviderId, ProviderBehaviour>();
  const counts = new Map<ProviderId, Map<string, number>>();
  const reset = () => {
    for (const provider of providers) {
      settings.set(provider, { ...normal });
      counts.set(provider, new Map());
    }
  };
  reset();
  const settingsOf = (provider: ProviderId) => settings.get(provider) ?? { ...normal };

  return {
    settings: settingsOf,
    configure(provider, patch) {
      const next = { ...settingsOf(provider), ...patch };
      settings.set(provider, next);
      return next;
    },
    count(provider, routeKey) {
      const map = counts.get(provider) ?? new Map<string, number>();
      map.set(routeKey, (map.get(routeKey) ?? 0) + 1);
      counts.set(provider, map);
    },
    calls() {
      const out = {} as CallCounts;
      for (const provider of providers) out[provider] = Object.fromEntries(counts.get(provider) ?? []);
      return out;
    },
    delayFor(provider) {
      return simulatedLatency(latency, random) + settingsOf(provider).latencyMs;
    },
    shouldFail(provider) {
      const { failureRate } = settingsOf(provider);
      return failureRate > 0 && random() < failureRate;
    },
    reset,
  };
}

/** Realistic: 10–40 ms uniform, and about one call in 33 takes 150–400 ms, like a real upstream's slow tail. */
function simulatedLatency(latency: LatencyMode, random: () => number): number {
  if (latency === 'none') return 0;
  if (random() < 0.03) return 150 + Math.floor(random() * 251);
  return 10 + Math.floor(random() * 31);
}
