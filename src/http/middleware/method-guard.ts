import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { errorBody } from '../../contract/error-body.ts';
import type { ApiOperation } from '../openapi/route-doc.ts';
import { isOpenAiPath } from './refuse.ts';

const ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods each documented path answers (HEAD comes with GET); the OpenAI routes answer for themselves. */
export function routeMethods(operations: readonly Pick<ApiOperation, 'method' | 'path'>[]): Map<string, string[]> {
  const methods = new Map<string, string[]>();
  for (const { method, path } of operations) {
    if (isOpenAiPath(path)) continue;
    const list = methods.get(path) ?? [];
    list.push(method.toUpperCase());
    methods.set(path, list);
  }
  for (const list of methods.values()) {
    list.sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
    if (list.includes('GET')) list.push('HEAD');
  }
  return methods;
}

/**
 * Registered after every route: a request reaching one of these paths here was not answered by
 * a route, so its method is the wrong one. 405 with `Allow` tells the client what would work,
 * where 404 would wrongly say the resource does not exist.
 */
export function installMethodGuards(app: Hono<AppEnv>, operations: readonly Pick<ApiOperation, 'method' | 'path'>[]): void {
  for (const [path, methods] of routeMethods(operations)) {
    const allow = methods.join(', ');
    app.all(path, (c) => c.json(
      errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}. Allowed: ${allow}.`, { allow: methods }),
      405,
      { Allow: allow },
    ));
  }
}
