import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, type AppDeps } from '../../src/http/app.ts';
import { createMediaStore } from '../../src/media/media-store.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createFakeTasks, type FakeTasks } from './fake-tasks.ts';

/** A logger that keeps what it was told, so tests can check that failures are logged. */
export function createMemoryLogger() {
  const lines: { level: string; args: unknown[] }[] = [];
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, args });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A config over a fresh temporary DATA_DIR, with overrides; the folder is removed after the test (or the file, outside a test). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: tempDir('wt-http-'), LOG_LEVEL: 'silent', ...env });
}

/** createApp over the fake task service, a ready engine and an open database. */
export function buildTestApp(env: Record<string, string> = {}, extra: Partial<AppDeps> = {}) {
  const config = testConfig(env);
  const tasks: FakeTasks = createFakeTasks();
  const logger = createMemoryLogger();
  let ready = { db: true, workers: 1 };
  const deps: AppDeps = {
    config,
    tasks,
    media: createMediaStore(config.MEDIA_DIR, config.DATA_DIR),
    bus: tasks.bus,
    engine: { readyCount: () => ready.workers, modelInfo: () => ({ name: 'tiny.en', multilingual: false, type: 'tiny' }) },
    dbReady: () => ready.db,
    logger,
    ...extra,
  };
  const created = createApp(deps);
  return { ...created, deps, config, tasks, logger, setReady: (r: typeof ready) => (ready = r) };
}
