import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number: 32 bits for IPv4, 128 bits for IPv6. */
export type ParsedAddress = { version: 4; value: bigint } | { version: 6; value: bigint };

/** A CIDR block. */
export interface Cidr {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let source = text;
  // A trailing dotted quad ("::ffff:1.2.3.4") stands for the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (quad) {
    const v4 = ipv4Value(quad[1]!);
    source = `${source.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = source.includes('::') ? source.split('::') as [string, string] : [source, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses a literal IPv4 or IPv6 address (brackets and a zone index are ignored); null when it is not one. */
export function parseAddress(raw: string): ParsedAddress | null {
  const text = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(text)) return { version: 4, value: ipv4Value(text) };
  if (isIPv6(text)) return { version: 6, value: ipv6Value(text.toLowerCase()) };
  return null;
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address (a /32 or /128); null when malformed. */
export function parseCidr(raw: string): Cidr | null {
  const [addr, bits, extra] = raw.trim().split('/');
  if (addr === undefined || extra !== undefined) return null;
  const parsed = parseAddress(addr);
  if (!parsed) return null;
  const width = parsed.version === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return null;
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - prefix)) - 1n);
  return { version: parsed.version, base: parsed.value & mask, prefix };
}

/** True when the address lies inside the block. */
export function inCidr(address: ParsedAddress, block: Cidr): boolean {
  if (address.version !== block.version) return false;
  const shift = BigInt((block.version === 4 ? 32 : 128) - block.prefix);
  return address.value >> shift === block.base >> shift;
}

/** Dotted-quad text for a 32-bit value. */
export function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}
