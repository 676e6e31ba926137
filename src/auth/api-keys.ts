import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../config.ts';

/** Keys shorter than this still work, but start-up warns that they are guessable. */
const MIN_SAFE_KEY_CHARS = 16;

/** The configured API keys, held only as SHA-256 digests. */
export interface ApiKeys {
  /** False when API_KEYS is empty: the API is open to anyone who can reach it. */
  readonly enabled: boolean;
  readonly count: number;
  /** The owner id of the key presented, or null when it matches none; takes the same time whatever it is. */
  verify(candidate: string): string | null;
  /** Problems worth a warning at start-up (short keys); never the keys themselves. */
  readonly warnings: readonly string[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The id stored as a task's owner: 16 hex characters of the key's SHA-256, never the key. */
export function ownerIdOf(key: string): string {
  return sha256(key).toString('hex').slice(0, 16);
}

/**
 * Reads API_KEYS: a comma-separated list, or the path of a file with one key per line (`#` starts
 * a comment). A value that names a file but cannot be read, or a list or file with no keys in it,
 * is a ConfigError: a server told to require keys must never start open by mistake.
 */
export function parseApiKeys(setting: string, read: (file: string) => string = (file) => readFileSync(file, 'utf8')): string[] {
  const value = setting.trim();
  if (value === '') return [];
  const isPath = /^(\/|\.{1,2}[\\/])/.test(value) || (!value.includes(',') && existsSync(value));
  let keys: string[];
  if (isPath) {
    let text: string;
    try {
      text = read(value);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: API_KEYS names the file ${JSON.stringify(value)}, which cannot be read (${(error as Error).message})`);
    }
    keys = text.split(/\r?\n/).map((line) => line.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
  } else {
    keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  }
  const where = isPath ? `the file ${JSON.stringify(value)}` : 'the list';
  if (keys.length === 0) throw new ConfigError(`Invalid configuration: API_KEYS is set but ${where} holds no keys`);
  // Position only: the key itself must not reach a log or an error message.
  const spaced = keys.findIndex((key) => /\s/.test(key));
  if (spaced >= 0) throw new ConfigError(`Invalid configuration: API key #${spaced + 1} in ${where} contains white space`);
  return [...new Set(keys)];
}

/** Holds the keys' digests; verify() hashes the candidate and compares it with every key in constant time. */
export function createApiKeys(keys: readonly string[]): ApiKeys {
  const entries = keys.map((key) => ({ digest: sha256(key), owner: ownerIdOf(key) }));
  const short = keys.filter((key) => key.length < MIN_SAFE_KEY_CHARS).length;
  return {
    enabled: entries.length > 0,
    count: entries.length,
    warnings: short > 0 ? [`${short} API key(s) are shorter than ${MIN_SAFE_KEY_CHARS} characters; use long random keys (e.g. openssl rand -hex 32)`] : [],
    verify(candidate) {
      // Both sides are 32-byte digests, so timingSafeEqual never sees lengths that differ,
      // and every key is compared, so the time does not tell which one (if any) matched.
      const digest = sha256(candidate);
      let owner: string | null = null;
      for (const entry of entries) {
        if (timingSafeEqual(digest, entry.digest) && owner === null) owner = entry.owner;
      }
      return owner;
    },
  };
}
