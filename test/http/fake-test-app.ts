// Being replaced by test-app.ts (the real service); only files not yet moved still import this.
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, type AppDeps } from '../../src/http/app.ts';
import { createMediaStore } from '../../src/media/media-store.ts';
import { createAppMetrics } from '../../src/metrics/app-metrics.ts';
import { bridgeBusToRegistry } from '../../src/ws/bus-bridge.ts';
import { createRegistry } from '../../src/ws/registry.ts';
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

/** createApp over the fake task service, a ready engine and an open database, with sockets and metrics composed as src/service.ts does. */
export function buildTestApp(env: Record<string, string> = {}, extra: Partial<AppDeps> = {}) {
  const config = testConfig(env);
  const tasks: FakeTasks = createFakeTasks();
  const logger = createMemoryLogger();
  let ready = { db: true, workers: 1 };
  const registry = extra.registry ?? createRegistry();
  const bridge = extra.bridge ?? bridgeBusToRegistry(tasks.bus, registry);
  const engine = extra.engine ?? { readyCount: () => ready.workers, modelInfo: () => ({ name: 'tiny.en', multilingual: false, type: 'tiny' as const }) };
  const metrics = extra.metrics ?? createAppMetrics({
    bus: tasks.bus, tasks, sockets: () => registry.count(), workersReady: () => engine.readyCount(),
    onWorkerRestart: 'onWorkerRestart' in engine ? engine.onWorkerRestart?.bind(engine) : undefined, webhooks: extra.webhooks,
  });
  const deps: AppDeps = {
    config,
    tasks,
    media: createMediaStore(config.MEDIA_DIR, config.DATA_DIR),
    bus: tasks.bus,
    engine,
    dbReady: () => ready.db,
    logger,
    ...extra,
    registry,
    bridge,
    metrics,
  };
  const created = createApp(deps);
  return { ...created, deps, config, tasks, logger, registry, metrics, setReady: (r: typeof ready) => (ready = r) };
}
