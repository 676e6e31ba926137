import { defineConfig } from 'vitest/config';

// Files that start processes (workers, ffmpeg, servers, browsers, tsc) or load native code (koffi,
// better-sqlite3, sherpa-onnx). They run in forks: a native crash or a stray signal ends one fork, not
// the run. Everything else is a unit test on threads (test/helpers/unit-setup.ts refuses processes and
// addons there, naming this list as the fix).
const NATIVE = [
  'test/{abuse,cli,db,diarization,e2e,fuzz,integration,scripts,webhooks}/**/*.test.ts',
  'test/audio/{decode-audio,ffmpeg-source,probe-media,stream-memory}.test.ts',
  'test/engine/{cli-equivalence,layout,model-header,real-model,whisper-engine,whisper-library,worker-*}.test.ts',
  'test/http/{idempotency,metrics-routes,openai-sdk-real}.test.ts',
  'test/metrics/worker-restarts.test.ts',
  'test/models/{model-load-eta,models-server}.test.ts',
  'test/packaging/dockerfile.test.ts',
  'test/security/{backpressure,path-traversal,upload-abort}.test.ts',
  'test/tasks/{progress-writer,queued-without-model,storage-full-end,task-recovery,task-service}.test.ts',
];
// Unit tests share one module graph per thread (isolate: false): importing src once instead of once per
// file is most of their time. A file that replaces a module (vi.mock) would leak it to the next
// file, so it gets a fresh graph of its own.
const MOCKS_MODULES = ['test/http/storage-full.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: the projects share these two slots, and more heavy files at once only slow each one down.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit', include: ['test/**/*.test.ts'], exclude: [...NATIVE, ...MOCKS_MODULES],
          pool: 'threads', isolate: false, setupFiles: ['test/helpers/unit-setup.ts'],
        },
      },
      { extends: true, test: { name: 'unit-mocks', include: MOCKS_MODULES, pool: 'threads', setupFiles: ['test/helpers/unit-setup.ts'] } },
      // One private PostgreSQL server for the run (PG_TEST_URL): store, service and cluster tests run on both engines.
      { extends: true, test: { name: 'native', include: NATIVE, pool: 'forks', globalSetup: ['test/helpers/pg-global-setup.ts'] } },
    ],
  },
});
