// A store's calls as spans: wraps the methods named (the ones that reach Redis, or the in-process stand-in) so each
// call is a span `store <name> <method>` with the store's name, and never its keys or values (they hold ids).
import { SpanKind } from '@opentelemetry/api';
import { inSpan, TraceAttribute } from './spans.js';

/** The methods of T that answer a promise: the ones a span can time. */
type AsyncMethod<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T] & string;

/**
 * The same store, its `methods` traced. A Proxy rather than a subclass, so one wrapper serves every backend of an
 * interface; every other member is the store's own, bound to it (a backend's private state stays reachable).
 */
export function traceStore<T extends object>(name: string, store: T, methods: readonly AsyncMethod<T>[]): T {
  const traced = new Set<string | symbol>(methods);
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!traced.has(property)) return method.bind(target);
      return (...args: unknown[]) =>
        inSpan(`store ${name} ${String(property)}`, { kind: SpanKind.CLIENT, attributes: { [TraceAttribute.STORE]: name } }, async () =>
          method.apply(target, args),
        );
    },
  });
}
