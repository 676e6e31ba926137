import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A request that cannot be served as asked: the one error type routes throw; app.onError maps it. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  /** What the server log gets besides the answer (never sent to the client). */
  logDetail?: string;
  /** Extra answer headers (Retry-After). */
  headers?: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

