import { fork, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { SILENT_LOGGER } from '../../src/logger.ts';
import { createService } from '../../src/service.ts';
import { FAKE_WORKER } from '../helpers/fake-pool.ts';
import { pollUntil } from '../helpers/start-service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('createService', () => {
  it('leaves no worker behind when a step after the workers fails (an API_KEYS file that cannot be read)', async () => {
    const children: ChildProcess[] = [];
    const spawn = (entry: string, options: Parameters<typeof fork>[2]) => {
      const child = fork(entry, options);
      children.push(child);
      return child;
    };
    const config = loadConfig({ DATA_DIR: tempDir('wt-failed-start-'), API_KEYS: '/nowhere/keys.txt', WORKERS: '2', LOG_LEVEL: 'silent' });
    await expect(createService(config, { logger: SILENT_LOGGER, pool: { entry: FAKE_WORKER, spawn } })).rejects.toThrow(ConfigError);
    expect(children.length).toBe(2);
    const gone = await pollUntil(async () => children.every((child) => child.exitCode !== null || child.signalCode !== null), (all) => all, 10_000).catch(() => false);
    expect(gone).toBe(true);
  });
});
