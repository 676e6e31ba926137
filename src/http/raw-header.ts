import type { Context } from 'hono';
import type { AppEnv } from './app-env.ts';

/**
 * One request header (`name` in lower case). Behind @hono/node-server it is read from Node's own
 * parsed headers: c.req.header() first builds a WHATWG Headers object from every raw header,
 * which costs a poll more than its database read. Node joins repeated values with ", " as
 * Headers does, except for the few headers it keeps once (Authorization among them), so
 * callers that must see repeats of those use c.req.header().
 */
export function requestHeader(c: Context<AppEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  // No Node request, or a stand-in without Node's parsed headers (tests pass a bare socket).
  if (!incoming?.rawHeaders) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
