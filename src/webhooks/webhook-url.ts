import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AddressPolicy } from '../net/ip-policy.ts';

/** Resolves a host name to every address it has. */
export type WebhookResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** Why a callback URL cannot be used; the message is safe to show to whoever gave the URL. */
export class WebhookUrlError extends Error {
  constructor(readonly code: 'CALLBACK_URL_INVALID' | 'CALLBACK_URL_FORBIDDEN' | 'CALLBACK_URL_UNRESOLVED', message: string) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/** Longest callback URL accepted. */
export const MAX_CALLBACK_URL_CHARS = 2048;

const defaultResolver: WebhookResolver = (host) => lookup(host, { all: true, verbatim: true });

/** Parses a callback URL: absolute http or https, at most MAX_CALLBACK_URL_CHARS. Throws WebhookUrlError. */
export function parseWebhookUrl(raw: string): URL {
  if (raw.length > MAX_CALLBACK_URL_CHARS) throw new WebhookUrlError('CALLBACK_URL_INVALID', `The callback URL is longer than ${MAX_CALLBACK_URL_CHARS} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('CALLBACK_URL_INVALID', 'The callback URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlError('CALLBACK_URL_INVALID', `The callback URL must use http or https, not ${url.protocol.replace(/:$/, '')}.`);
  }
  return url;
}

/**
 * The address to connect to for a callback URL, after the URL-ingestion SSRF policy (with
 * URL_FETCH_ALLOW_HOSTS) has passed every address the host resolves to. The caller connects to
 * exactly this address, so DNS cannot answer differently in between. Throws WebhookUrlError.
 */
export async function allowedAddress(url: URL, policy: AddressPolicy, resolve: WebhookResolver = defaultResolver): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  let addresses: { address: string; family: number }[];
  try {
    addresses = family ? [{ address: host, family }] : await resolve(host);
  } catch {
    throw new WebhookUrlError('CALLBACK_URL_UNRESOLVED', `The callback host "${host}" could not be resolved.`);
  }
  if (addresses.length === 0) throw new WebhookUrlError('CALLBACK_URL_UNRESOLVED', `The callback host "${host}" has no address.`);
  for (const { address } of addresses) {
    const verdict = policy.check(host, address);
    if (!verdict.allowed) {
      const where = family ? `${host} is` : `${host} resolves to ${address},`;
      throw new WebhookUrlError('CALLBACK_URL_FORBIDDEN', `The callback URL points to a non-public address: ${where} a ${verdict.reason} address (URL_FETCH_ALLOW_HOSTS can allow it).`);
    }
  }
  return addresses[0]!;
}
