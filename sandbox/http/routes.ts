// Matches a relative path against route templates like "/accounts/{AccountId}/transactions".
import type { Route } from './types.js';

export interface RouteMatch<R> {
  readonly route: R;
  readonly params: Record<string, string>;
}

type Template = Pick<Route, 'template'> & { readonly method: string };

export function matchRoute<R extends Template>(routes: readonly R[], method: string, path: string): RouteMatch<R> | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchTemplate(route.template, segments);
    if (params) return { route, params };
  }
  return undefined;
}

function matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== segment) return undefined;
      continue;
    }
    if (segment === '') return undefined;
    try {
      params[name] = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  return params;
}
