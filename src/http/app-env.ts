import type { HttpBindings } from '@hono/node-server';

/** Hono's environment for this app: on Node the raw request is c.env.incoming (absent under app.request()). */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The owner id of the API key that authorised the request; null when API keys are off. */
    owner: string | null;
    /** The request's id (X-Request-Id), in every log line about it. */
    requestId: string;
  };
}
