import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('the cluster settings of loadConfig', () => {
  it('keeps the single-process defaults: SQLite, ROLE=all, media under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/srv/w' });
    expect(config).toMatchObject({ DATABASE_URL: '', ROLE: 'all', MEDIA_DIR: path.resolve('/srv/w/uploads'), LEASE_TIMEOUT_MS: 30_000, DATABASE_POOL_SIZE: 10 });
  });

  it('takes a PostgreSQL URL, a role, a shared media folder and a lease timeout', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/w', ROLE: 'worker', MEDIA_DIR: '/mnt/media', LEASE_TIMEOUT_MS: '5000', NODE_NAME: 'gpu-1' });
    expect(config).toMatchObject({ DATABASE_URL: 'postgresql://u:p@db:5432/w', ROLE: 'worker', MEDIA_DIR: '/mnt/media', LEASE_TIMEOUT_MS: 5000, NODE_NAME: 'gpu-1' });
  });

  it('refuses, in one line naming the variable, what cannot work', () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    expect(refused({ ROLE: 'api' })).toMatch(/ROLE=api needs DATABASE_URL/);
    expect(refused({ ROLE: 'boss', DATABASE_URL: 'postgres://db/w' })).toMatch(/^Invalid configuration: ROLE="boss" must be all, api or worker/);
    expect(refused({ DATABASE_URL: 'mysql://db/w' })).toMatch(/DATABASE_URL=.*must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(refused({ DATABASE_URL: 'postgres://db/w', DATABASE_POOL_SIZE: '1' })).toMatch(/DATABASE_POOL_SIZE="1" must be at least 2/);
  });
});
