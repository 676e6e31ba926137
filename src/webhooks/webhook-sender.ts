import http from 'node:http';
import https from 'node:https';
import type { AddressPolicy } from '../net/ip-policy.ts';
import { allowedAddress, parseWebhookUrl, WebhookUrlError, type WebhookResolver } from './webhook-url.ts';

/** How one attempt went: a 2xx answer, or the status and/or error that make it a failure. */
export interface SendOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Limits and rules for one attempt. */
export interface SendOptions {
  policy: AddressPolicy;
  timeoutMs: number;
  resolve?: WebhookResolver;
  /** Stops the attempt (shutdown); the outcome then says so and the caller does not record it. */
  signal?: AbortSignal;
}

/** Response bytes read before the connection is dropped: receivers only need to answer 2xx. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed delivery: the SSRF policy is checked again (DNS may have changed since the task
 * was created), the connection goes to the checked address, redirects are not followed (a 3xx is
 * a failure), and one deadline covers DNS, connect, headers and the answer's body. Never throws.
 */
export async function sendWebhook(rawUrl: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendOutcome> {
  const started = Date.now();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const done = (status: number | null, error: string | null): SendOutcome =>
    ({ ok: error === null && status !== null && status >= 200 && status < 300, status, error, durationMs: Date.now() - started });
  try {
    const url = parseWebhookUrl(rawUrl);
    const target = await allowedAddress(url, options.policy, options.resolve);
    signal.throwIfAborted();
    const status = await post(url, target, body, headers, signal);
    return done(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
  } catch (error) {
    if (deadline.aborted) return done(null, `timed out after ${options.timeoutMs} ms`);
    if (options.signal?.aborted) return done(null, 'stopped: the server is shutting down');
    if (error instanceof WebhookUrlError) return done(null, `${error.code}: ${error.message}`);
    return done(null, error instanceof Error ? error.message : String(error));
  }
}

function post(url: URL, target: { address: string; family: number }, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const payload = Buffer.from(body, 'utf8');
    const req = client.request({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''), // Host header and TLS name; the lookup pins the address
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'whisper-tasks-webhooks' },
      agent: false,
      signal,
      lookup: (_host, opts, callback) => {
        if ((opts as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
        else callback(null, target.address, target.family);
      },
    }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      // The status is what counts; the body is read only so that the answer is complete.
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
