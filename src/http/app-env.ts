import type { HttpBindings } from '@hono/node-server';

/** Hono's environment for this app: on Node the raw request is c.env.incoming (absent under app.request()). */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
}
