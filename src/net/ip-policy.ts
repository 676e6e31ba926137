import { inCidr, ipv4Text, parseAddress, parseCidr, type Cidr, type ParsedAddress } from './ip-address.ts';

/** Whether the server may connect to an address, and why not. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

const block = (cidr: string, reason: string): [Cidr, string] => [parseCidr(cidr)!, reason];

// Order matters: the first match names the reason, so exact metadata addresses come first.
const IPV4_BLOCKED: [Cidr, string][] = [
  block('169.254.169.254/32', 'cloud metadata service'),
  block('100.100.100.200/32', 'cloud metadata service'),
  block('192.0.0.192/32', 'cloud metadata service'),
  block('0.0.0.0/8', 'unspecified ("this network")'),
  block('10.0.0.0/8', 'private network'),
  block('100.64.0.0/10', 'carrier-grade NAT'),
  block('127.0.0.0/8', 'loopback'),
  block('169.254.0.0/16', 'link-local'),
  block('172.16.0.0/12', 'private network'),
  block('192.0.0.0/24', 'IETF protocol assignments'),
  block('192.0.2.0/24', 'documentation range'),
  block('192.88.99.0/24', '6to4 relay anycast'),
  block('192.168.0.0/16', 'private network'),
  block('198.18.0.0/15', 'benchmarking range'),
  block('198.51.100.0/24', 'documentation range'),
  block('203.0.113.0/24', 'documentation range'),
  block('224.0.0.0/4', 'multicast'),
  block('255.255.255.255/32', 'broadcast'),
  block('240.0.0.0/4', 'reserved'),
];

// IPv6 forms that carry an IPv4 address: judged by the IPv4 address inside (and its bit offset).
const IPV6_EMBEDDING: [Cidr, bigint, string][] = [
  [parseCidr('::ffff:0:0/96')!, 0n, 'IPv4-mapped'],
  [parseCidr('::ffff:0:0:0/96')!, 0n, 'IPv4-translated'],
  [parseCidr('64:ff9b::/96')!, 0n, 'NAT64'],
  [parseCidr('2002::/16')!, 80n, '6to4'],
  [parseCidr('::/96')!, 0n, 'IPv4-compatible'], // after :: and ::1 below have been ruled out
];

const IPV6_BLOCKED: [Cidr, string][] = [
  block('fd00:ec2::254/128', 'cloud metadata service'),
  block('::/128', 'unspecified'),
  block('::1/128', 'loopback'),
  block('64:ff9b:1::/48', 'local-use NAT64'),
  block('100::/64', 'discard-only range'),
  block('2001::/32', 'Teredo tunnel'),
  block('2001:2::/48', 'benchmarking range'),
  block('2001:db8::/32', 'documentation range'),
  block('fc00::/7', 'unique local address'),
  block('fe80::/10', 'link-local'),
  block('fec0::/10', 'site-local'),
  block('ff00::/8', 'multicast'),
];

function judgeV4(value: bigint, prefix = ''): AddressVerdict {
  const hit = IPV4_BLOCKED.find(([cidr]) => inCidr({ version: 4, value }, cidr));
  return hit ? { allowed: false, reason: `${prefix}${hit[1]}` } : { allowed: true };
}

/** The IPv4 address an IPv6 address stands for (mapped, translated, NAT64, 6to4, compatible), if any. */
export function embeddedIPv4(address: ParsedAddress): { value: bigint; form: string } | null {
  if (address.version !== 6 || address.value <= 1n) return null;
  for (const [cidr, shift, form] of IPV6_EMBEDDING) {
    if (inCidr(address, cidr)) return { value: (address.value >> shift) & 0xffffffffn, form };
  }
  return null;
}

/** Classifies one literal address with no allow-list: public unicast is allowed, everything else refused. */
export function classifyAddress(raw: string): AddressVerdict {
  const address = parseAddress(raw);
  if (!address) return { allowed: false, reason: 'not an IP address' };
  if (address.version === 4) return judgeV4(address.value);
  const exact = IPV6_BLOCKED.find(([cidr]) => inCidr(address, cidr));
  if (exact) return { allowed: false, reason: exact[1] };
  const inner = embeddedIPv4(address);
  return inner ? judgeV4(inner.value, `${inner.form} form of ${ipv4Text(inner.value)}: `) : { allowed: true };
}

/** The URL guard's rules: built-in refusals, softened by an operator's allow-list. */
export interface AddressPolicy {
  /** Judges the address a host name resolved to (or the literal address in the URL). */
  check(hostname: string, address: string): AddressVerdict;
}

/**
 * Builds a policy from URL_FETCH_ALLOW_HOSTS entries: host names (exact, case-insensitive), which
 * may then resolve to any address, and IP addresses or CIDR blocks, which are allowed wherever they
 * come from. Throws on an entry that is neither, so a typo never silently allows nothing.
 */
export function createAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const names = new Set<string>();
  const blocks: Cidr[] = [];
  for (const entry of allow.map((e) => e.trim()).filter(Boolean)) {
    const cidr = parseCidr(entry);
    if (cidr) blocks.push(cidr);
    else if (/^[a-z0-9.-]+$/i.test(entry) && !entry.includes('/')) names.add(normalizeHost(entry));
    else throw new Error(`URL_FETCH_ALLOW_HOSTS: "${entry}" is neither a host name nor an IP address or CIDR block`);
  }
  return {
    check(hostname, raw) {
      if (names.has(normalizeHost(hostname))) return { allowed: true };
      const address = parseAddress(raw);
      if (address) {
        const inner = embeddedIPv4(address);
        const forms: ParsedAddress[] = inner ? [address, { version: 4, value: inner.value }] : [address];
        if (blocks.some((b) => forms.some((f) => inCidr(f, b)))) return { allowed: true };
      }
      return classifyAddress(raw);
    },
  };
}

function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}
