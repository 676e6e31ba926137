import type * as v from 'valibot';

/** A JSON Schema written by hand, where no valibot schema exists (text formats, binary media). */
export type JsonSchemaObject = Record<string, unknown>;

/** One documented answer. */
export interface ApiResponse {
  description: string;
  /** The body: a valibot schema, a JSON Schema, or none. */
  schema?: v.GenericSchema | JsonSchemaObject;
  /** Default application/json. */
  contentType?: string;
  /** More content types with their schemas (e.g. the text result formats). */
  alternatives?: Record<string, JsonSchemaObject>;
  /** Response headers by name, with their description. */
  headers?: Record<string, string>;
}

/** One route as the OpenAPI document shows it. */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono's spelling (`/tasks/:id`); path parameters are derived from it. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** An object schema of the query parameters. */
  query?: v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;
  /** Headers the route reads, by name, with their description. */
  headers?: Record<string, string>;
  /** The request body by content type (POST /tasks takes multipart or JSON). */
  body?: { description?: string; content: Record<string, v.GenericSchema | JsonSchemaObject> };
  responses: Record<number, ApiResponse>;
  /** Served without an API key. */
  public?: boolean;
}

/** A route's documentation, written where the route is registered; method and path come from the route. */
export type RouteDoc = Omit<ApiOperation, 'method' | 'path'>;

// Keyed by the handler function itself: a documented route costs nothing per request.
const docs = new WeakMap<object, RouteDoc>();

/** A registered route as Hono lists it in `app.routes`. */
export interface RegisteredRoute {
  method: string;
  path: string;
  handler: object;
}

/**
 * Documents the route registered last on `routes` (call it right after `routes.get(...)`): the doc is
 * keyed by the handler, so Hono's own typing of the route stays untouched and a request pays nothing.
 */
export function documentLast(routes: { routes: readonly RegisteredRoute[] }, doc: RouteDoc): void {
  const last = routes.routes.at(-1);
  if (!last) throw new Error('documentLast: no route has been registered yet');
  docs.set(last.handler, doc);
}

/**
 * The OpenAPI operations of an app, read from its registered routes: the route list exists once, in
 * the route files. Hono wraps the handlers of a sub-app that has its own error handler; the original
 * is kept on the wrapper under `__COMPOSED_HANDLER`.
 */
export function documentedOperations(routes: readonly RegisteredRoute[]): ApiOperation[] {
  const operations: ApiOperation[] = [];
  for (const route of routes) {
    const handler = (route.handler as Record<string, object | undefined>).__COMPOSED_HANDLER ?? route.handler;
    const doc = docs.get(handler);
    if (!doc) continue;
    const method = route.method.toLowerCase() as ApiOperation['method'];
    if (operations.some((o) => o.method === method && o.path === route.path)) throw new Error(`${route.method} ${route.path} is documented twice`);
    operations.push({ ...doc, method, path: route.path });
  }
  return operations;
}
