/** Why a server-side fetch of a client's URL did not give a file. */
export type UrlFetchErrorCode = 'URL_FORBIDDEN' | 'URL_FETCH_FAILED' | 'UPLOAD_TOO_LARGE' | 'URL_TIMEOUT';

const STATUS: Record<UrlFetchErrorCode, 403 | 413 | 502 | 504> = {
  URL_FORBIDDEN: 403,
  URL_FETCH_FAILED: 502,
  UPLOAD_TOO_LARGE: 413,
  URL_TIMEOUT: 504,
};

/** A refused or failed URL fetch; the message is safe to show to the client who gave the URL. */
export class UrlFetchError extends Error {
  readonly code: UrlFetchErrorCode;
  /** The HTTP status an API answers with. */
  readonly status: 403 | 413 | 502 | 504;
  constructor(code: UrlFetchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UrlFetchError';
    this.code = code;
    this.status = STATUS[code];
  }
}
