import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiKeys, ownerIdOf, parseApiKeys } from '../../src/auth/api-keys.ts';
import { ConfigError } from '../../src/config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const tmp = () => tempDir('wt-keys-');

describe('parseApiKeys', () => {
  it('reads a comma-separated list, trimming and dropping duplicates', () => {
    expect(parseApiKeys(' alpha-key-000000001 , beta-key-0000000002,alpha-key-000000001 ')).toEqual(['alpha-key-000000001', 'beta-key-0000000002']);
  });

  it('is empty (keys off) for an empty setting', () => {
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys('   ')).toEqual([]);
  });

  it('reads a file with one key per line, comments and blank lines', () => {
    const file = path.join(tmp(), 'keys.txt');
    writeFileSync(file, '# team keys\nfirst-key-1234567890\n\n  second-key-1234567890   # the CI runner\r\n#third-key-disabled\n');
    expect(parseApiKeys(file)).toEqual(['first-key-1234567890', 'second-key-1234567890']);
  });

  it('fails closed: an unreadable file, an empty file or an empty list is a ConfigError, never "keys off"', () => {
    const dir = tmp();
    expect(() => parseApiKeys(path.join(dir, 'missing.txt'))).toThrow(ConfigError);
    expect(() => parseApiKeys('./no/such/keys-file')).toThrow(/cannot be read/);
    const empty = path.join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing yet\n\n');
    expect(() => parseApiKeys(empty)).toThrow(/holds no keys/);
    expect(() => parseApiKeys(' , ,')).toThrow(/holds no keys/);
  });

  it('refuses a key with white space inside without printing the key', () => {
    const file = path.join(tmp(), 'keys.txt');
    writeFileSync(file, 'good-key-1234567890\nsecret part-two-1234\n');
    let message = '';
    try {
      parseApiKeys(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/#2 .*white space/);
    expect(message).not.toContain('secret');
  });
});

describe('createApiKeys', () => {
  const keys = createApiKeys(['alpha-key-000000001', 'beta-key-0000000002']);

  it('maps each key to its owner id and anything else to null', () => {
    expect(keys.enabled).toBe(true);
    expect(keys.verify('alpha-key-000000001')).toBe(ownerIdOf('alpha-key-000000001'));
    expect(keys.verify('beta-key-0000000002')).toBe(ownerIdOf('beta-key-0000000002'));
    for (const wrong of ['', 'alpha-key-00000000', 'alpha-key-0000000011', 'ALPHA-KEY-000000001', ' alpha-key-000000001', 'x'.repeat(10_000)]) {
      expect(keys.verify(wrong)).toBeNull();
    }
  });

  it('derives owner ids from the hash, never holding the key itself', () => {
    const id = ownerIdOf('alpha-key-000000001');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).toBe(createHash('sha256').update('alpha-key-000000001').digest('hex').slice(0, 16));
    expect(ownerIdOf('beta-key-0000000002')).not.toBe(id);
    expect(JSON.stringify(keys)).not.toContain('alpha-key');
  });

  it('is off with no keys, and warns about short keys without naming them', () => {
    expect(createApiKeys([]).enabled).toBe(false);
    expect(createApiKeys([]).verify('anything')).toBeNull();
    const short = createApiKeys(['abc', 'long-enough-key-123456']);
    expect(short.warnings).toHaveLength(1);
    expect(short.warnings[0]).toMatch(/1 API key/);
    expect(short.warnings[0]).not.toContain('abc');
  });
});
