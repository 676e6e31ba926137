import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshWorkerBundle, type WorkerBundleOptions } from '../../src/engine/pool/worker-bundle.ts';
import { resolvePoolOptions, runnableEntry } from '../../src/engine/pool/worker-pool-options.ts';
import { SILENT_LOGGER } from '../../src/logger.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A two-file TypeScript program in a temp folder: main.ts prints what value.ts exports. */
function program(value: string): WorkerBundleOptions {
  dir = mkdtempSync(path.join(os.tmpdir(), 'worker-bundle-'));
  writeFileSync(path.join(dir, 'main.ts'), "import { value } from './value.ts';\nconst shown: string = value;\nconsole.log(shown);\n");
  writeFileSync(path.join(dir, 'value.ts'), `export const value = '${value}';\n`);
  return { source: path.join(dir, 'main.ts'), outFile: path.join(dir, 'out/main.mjs'), root: dir, external: [] };
}
const run = (file: string) => execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim();

describe('freshWorkerBundle', () => {
  it('builds once, then reuses the bundle while its sources are unchanged', () => {
    const options = program('first');
    const built = freshWorkerBundle(options);
    expect(built).toEqual({ ok: true, entry: options.outFile, built: true });
    expect(run(options.outFile)).toBe('first');
    expect(freshWorkerBundle(options)).toEqual({ ok: true, entry: options.outFile, built: false });
  });

  it('rebuilds when an imported file changes, so the old code never runs', () => {
    const options = program('old');
    freshWorkerBundle(options);
    writeFileSync(path.join(dir, 'value.ts'), "export const value = 'new';\n");
    expect(freshWorkerBundle(options)).toMatchObject({ ok: true, built: true });
    expect(run(options.outFile)).toBe('new');
  });

  it('rebuilds a bundle that was altered after it was written', () => {
    const options = program('kept');
    freshWorkerBundle(options);
    writeFileSync(options.outFile, "console.log('tampered');\n");
    expect(freshWorkerBundle(options)).toMatchObject({ ok: true, built: true });
    expect(run(options.outFile)).toBe('kept');
  });

  it('rebuilds when a file it also depends on changes (the lock file)', () => {
    const options = { ...program('locked'), alsoDependsOn: ['lock.json', 'absent.json'] };
    writeFileSync(path.join(dir, 'lock.json'), '{"v":1}');
    expect(freshWorkerBundle(options)).toMatchObject({ ok: true, built: true });
    expect(freshWorkerBundle(options)).toMatchObject({ ok: true, built: false });
    writeFileSync(path.join(dir, 'lock.json'), '{"v":2}');
    expect(freshWorkerBundle(options)).toMatchObject({ ok: true, built: true });
  });

  it('reports a build error instead of throwing', () => {
    const options = program('x');
    writeFileSync(path.join(dir, 'value.ts'), 'export const value = ;\n');
    const outcome = freshWorkerBundle(options);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toContain('value.ts');
  });
});

describe('runnableEntry', () => {
  const options = resolvePoolOptions({ workers: 1, threads: 1, modelPath: 'x.bin', taskTimeoutMs: 1000 });

  it('forks the default TypeScript entry as its bundle in node_modules/.cache', () => {
    expect(options.entry).toMatch(/worker-main\.ts$/);
    expect(runnableEntry(options.entry, SILENT_LOGGER)).toMatch(/node_modules\/\.cache\/whisper-tasks\/worker-main\.mjs$/);
  });

  it('forks any other entry as given', () => {
    expect(runnableEntry('/somewhere/fake-worker.ts', SILENT_LOGGER)).toBe('/somewhere/fake-worker.ts');
  });
});
