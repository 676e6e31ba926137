import * as v from 'valibot';
import type { KeyStore } from './api-key.ts';
import { ApiErrorSchema } from './messages.ts';

/** A failed API call: the HTTP status and the server's own message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Same-origin API access that adds the key and asks for one on a 401. */
export interface ApiClient {
  /** fetch() with the key; on 401 asks for a key and retries until one is accepted. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A request whose 2xx JSON body is checked against schema; other statuses throw ApiError. */
  json<S extends v.GenericSchema>(path: string, schema: S, init?: RequestInit): Promise<v.InferOutput<S>>;
  /** The Authorization header to send, if a key is set. */
  authHeaders(): Record<string, string>;
  hasKey(): boolean;
  /** Asks for a (new) key after the server refused the current one. */
  askForKey(): Promise<string>;
  /** The WebSocket URL for a task, with ?token= when a key is set (browsers cannot send headers there). */
  socketUrl(taskId: string): string;
}

/** The server's message in an error body of any shape, or fallback. */
export function messageFromBody(text: string, fallback: string): string {
  try {
    const body = v.safeParse(ApiErrorSchema, JSON.parse(text));
    if (body.success) {
      const e = body.output.error;
      const m = typeof e === 'string' ? e : (e?.user_message ?? e?.message ?? body.output.message);
      if (m) return m;
    }
  } catch (error) {
    console.debug('error body is not JSON:', error);
  }
  return text.trim().slice(0, 300) || fallback;
}

/** Creates the client for this page's origin. */
export function createApiClient(keys: KeyStore, ask: (rejected: boolean) => Promise<string>, origin: Location): ApiClient {
  const authHeaders = (): Record<string, string> => {
    const key = keys.get();
    return key ? { Authorization: `Bearer ${key}` } : {};
  };
  const askForKey = () => ask(keys.get() !== null);

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    for (;;) {
      const headers = new Headers(init.headers);
      for (const [k, val] of Object.entries(authHeaders())) headers.set(k, val);
      const res = await fetch(path, { ...init, headers });
      if (res.status !== 401) return res;
      await askForKey();
    }
  }

  return {
    request,
    async json(path, schema, init) {
      const res = await request(path, { ...init, headers: { Accept: 'application/json', ...init?.headers } });
      if (!res.ok) throw new ApiError(res.status, messageFromBody(await res.text(), `HTTP ${res.status}`));
      return v.parse(schema, await res.json());
    },
    authHeaders,
    hasKey: () => keys.get() !== null,
    askForKey,
    socketUrl(taskId) {
      const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
      const key = keys.get();
      const query = key ? `?token=${encodeURIComponent(key)}` : '';
      return `${scheme}//${origin.host}/ws/tasks/${encodeURIComponent(taskId)}${query}`;
    },
  };
}
