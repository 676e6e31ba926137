import { describe, expect, it } from 'vitest';
import { inCidr, parseAddress, parseCidr } from '../../src/net/ip-address.ts';
import { classifyAddress, createAddressPolicy } from '../../src/net/ip-policy.ts';

// [address, expected reason fragment, or null when the address is public and allowed]
const TABLE: [string, string | null][] = [
  ['8.8.8.8', null],
  ['1.1.1.1', null],
  ['93.184.216.34', null],
  ['2606:4700:4700::1111', null],
  ['2a00:1450:4001:82a::200e', null],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', null],
  ['192.168.1.1', 'private'],
  ['169.254.10.1', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['100.128.0.1', null],
  ['100.100.100.200', 'metadata'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.5', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['fd00:ec2::254', 'metadata'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped form of 127.0.0.1: loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped form of 127.0.0.1: loopback'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:a00:1', 'IPv4-mapped form of 10.0.0.1: private'],
  ['::ffff:8.8.8.8', null],
  ['::ffff:0:10.0.0.1', 'IPv4-translated form of 10.0.0.1'],
  ['::127.0.0.1', 'IPv4-compatible form of 127.0.0.1'],
  ['::7f00:1', 'IPv4-compatible form of 127.0.0.1'],
  ['64:ff9b::192.168.0.1', 'NAT64 form of 192.168.0.1: private'],
  ['64:ff9b::7f00:1', 'NAT64 form of 127.0.0.1'],
  ['64:ff9b::8.8.8.8', null],
  ['64:ff9b:1::1', 'local-use NAT64'],
  ['2002:7f00:1::', '6to4 form of 127.0.0.1'],
  ['2002:a9fe:a9fe::1', '6to4 form of 169.254.169.254: cloud metadata'],
  ['2002:808:808::1', null],
  ['2001:0:4136:e378::1', 'Teredo'],
  ['2001:db8::1', 'documentation'],
  ['not-an-ip', 'not an IP address'],
];

describe('classifyAddress', () => {
  it.each(TABLE)('does judge %s', (address, reason) => {
    const verdict = classifyAddress(address);
    if (reason === null) expect(verdict).toEqual({ allowed: true });
    else {
      expect(verdict.allowed).toBe(false);
      expect(verdict.allowed === false && verdict.reason).toContain(reason);
    }
  });
});

describe('parseCidr', () => {
  it('does parse blocks and bare addresses and refuses malformed ones', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ version: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseCidr('::1')?.prefix).toBe(128);
    expect(inCidr(parseAddress('172.20.1.1')!, parseCidr('172.16.0.0/12')!)).toBe(true);
    expect(inCidr(parseAddress('172.32.1.1')!, parseCidr('172.16.0.0/12')!)).toBe(false);
    for (const bad of ['10.0.0.0/33', '::/129', 'a.b.c.d/8', '10.0.0.0/8/1', '10.0.0.0/x']) expect(parseCidr(bad)).toBeNull();
  });
});

describe('createAddressPolicy', () => {
  it('does refuse internal addresses when nothing is allowed', () => {
    expect(createAddressPolicy().check('localhost', '127.0.0.1').allowed).toBe(false);
  });

  it('does allow listed CIDR blocks, also in their IPv4-mapped form, and nothing beside them', () => {
    const policy = createAddressPolicy(['127.0.0.0/8', 'fd00::/8']);
    expect(policy.check('a.test', '127.0.0.1').allowed).toBe(true);
    expect(policy.check('a.test', '::ffff:127.0.0.1').allowed).toBe(true);
    expect(policy.check('a.test', 'fd00::5').allowed).toBe(true);
    expect(policy.check('a.test', '::1').allowed).toBe(false);
    expect(policy.check('a.test', '10.0.0.1').allowed).toBe(false);
  });

  it('does allow a listed host name whatever it resolves to, matched without case or trailing dot', () => {
    const policy = createAddressPolicy(['Media.Internal']);
    expect(policy.check('media.internal.', '10.0.0.7').allowed).toBe(true);
    expect(policy.check('other.internal', '10.0.0.7').allowed).toBe(false);
  });

  it('does throw on an entry that is neither a host nor an address', () => {
    expect(() => createAddressPolicy(['10.0.0.0/40'])).toThrow(/URL_FETCH_ALLOW_HOSTS/);
    expect(() => createAddressPolicy(['http://x'])).toThrow(/URL_FETCH_ALLOW_HOSTS/);
  });
});
