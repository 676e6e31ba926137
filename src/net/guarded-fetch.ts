import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressPolicy } from './ip-policy.ts';
import { UrlFetchError } from './url-fetch-error.ts';

/** Resolves a host name to every address it has (dns.lookup with all: true by default). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** Limits and rules for one fetch. */
export interface GuardedFetchOptions {
  policy: AddressPolicy;
  maxBytes: number;
  /** One deadline for everything: DNS, every redirect hop and the whole body. */
  timeoutMs: number;
  maxRedirects?: number;
  resolve?: Resolver;
  /** Stops the fetch early (a client that went away); the partial file is removed. */
  signal?: AbortSignal;
  userAgent?: string;
}

/** What landed on disk. */
export interface FetchedMedia {
  path: string;
  bytes: number;
  contentType: string | null;
  /** From Content-Disposition or the last path segment of the final URL; unsanitized. */
  fileName: string | null;
  finalUrl: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const defaultResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Downloads a client-supplied URL to destPath without letting it reach internal services: only
 * http(s); each host is resolved once, every address it has is checked, and the connection goes to
 * the checked address (so DNS cannot change its answer in between); every redirect is checked the
 * same way, at most maxRedirects (5) of them; size and time limits hold while the body streams,
 * and a partial file is removed on any failure. Throws UrlFetchError.
 */
export async function fetchToFile(rawUrl: string, destPath: string, options: GuardedFetchOptions): Promise<FetchedMedia> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const maxRedirects = options.maxRedirects ?? 5;
  try {
    let url = parseUrl(rawUrl);
    for (let hop = 0; ; hop++) {
      const target = await abortable(checkedAddress(url, options), signal);
      const response = await request(url, target, options.userAgent ?? 'whisper-tasks', signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        response.destroy();
        if (hop >= maxRedirects) throw new UrlFetchError('URL_FETCH_FAILED', `The URL redirected more than ${maxRedirects} times.`);
        url = parseUrl(new URL(location, url).href);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new UrlFetchError('URL_FETCH_FAILED', `The server at the URL answered HTTP ${status}.`);
      }
      if (Number(response.headers['content-length']) > options.maxBytes) {
        response.destroy();
        throw tooLarge(options.maxBytes);
      }
      const bytes = await save(response, destPath, options.maxBytes, signal);
      const contentType = response.headers['content-type'] ?? null;
      return { path: destPath, bytes, contentType, fileName: fileNameOf(response, url), finalUrl: url.href };
    }
  } catch (error) {
    if (deadline.signal.aborted) throw new UrlFetchError('URL_TIMEOUT', `Fetching the URL took longer than ${options.timeoutMs} ms.`, { cause: error });
    if (error instanceof UrlFetchError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new UrlFetchError('URL_FETCH_FAILED', `The URL could not be fetched: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlFetchError('URL_FORBIDDEN', 'The URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlFetchError('URL_FORBIDDEN', `Only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}.`);
  }
  return url;
}

const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

async function checkedAddress(url: URL, options: GuardedFetchOptions): Promise<{ address: string; family: number }> {
  const host = bareHost(url);
  const family = isIP(host);
  let addresses: { address: string; family: number }[];
  try {
    addresses = family ? [{ address: host, family }] : await (options.resolve ?? defaultResolver)(host);
  } catch (error) {
    throw new UrlFetchError('URL_FETCH_FAILED', `The host name "${host}" could not be resolved.`, { cause: error });
  }
  if (addresses.length === 0) throw new UrlFetchError('URL_FETCH_FAILED', `The host name "${host}" has no address.`);
  // Every address must pass: a name that also points inside could be steered there by the client.
  for (const { address } of addresses) {
    const verdict = options.policy.check(host, address);
    if (!verdict.allowed) {
      const where = family ? `${host} is` : `${host} resolves to ${address},`;
      throw new UrlFetchError('URL_FORBIDDEN', `The URL points to a non-public address: ${where} a ${verdict.reason} address.`);
    }
  }
  return addresses[0]!;
}

function request(url: URL, target: { address: string; family: number }, userAgent: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: bareHost(url), // kept for the Host header and TLS name checks; the lookup below pins the address
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        headers: { 'user-agent': userAgent, accept: '*/*', 'accept-encoding': 'identity' },
        agent: false,
        signal,
        lookup: (_host, opts, callback) => {
          if ((opts as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
          else callback(null, target.address, target.family);
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

function tooLarge(maxBytes: number): UrlFetchError {
  return new UrlFetchError('UPLOAD_TOO_LARGE', `The file at the URL is larger than the limit of ${maxBytes} bytes.`);
}

async function save(body: http.IncomingMessage, destPath: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(destPath), { signal });
    return bytes;
  } catch (error) {
    await rm(destPath, { force: true });
    throw error;
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

function fileNameOf(response: http.IncomingMessage, url: URL): string | null {
  const disposition = response.headers['content-disposition'] ?? '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  const fromPath = url.pathname.split('/').filter(Boolean).pop();
  const raw = star?.[1] ?? plain?.[1] ?? fromPath;
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not percent-encoded after all
  }
}
