import * as fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { buildTestApp, type TestApp } from './test-app.ts';

// Uploads write through createWriteStream: while `noSpace` is set it fails the way a full disk does.
const disk = vi.hoisted(() => ({ noSpace: false }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const { Writable } = await import('node:stream');
  const createWriteStream = ((...args: Parameters<typeof actual.createWriteStream>) => {
    if (!disk.noSpace) return actual.createWriteStream(...args);
    return new Writable({ write: (_chunk, _enc, done) => done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) });
  }) as typeof actual.createWriteStream;
  return { ...actual, default: { ...actual, createWriteStream }, createWriteStream };
});

const wav = fs.readFileSync(JFK_WAV);

async function post(t: TestApp, route = '/tasks') {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
  const res = await t.app.request(route, { method: 'POST', body });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('a full disk at submission', () => {
  it('answers 507 STORAGE_FULL when the upload cannot be written (ENOSPC)', async () => {
    const t = await buildTestApp();
    disk.noSpace = true;
    try {
      const res = await post(t);
      expect(res.status).toBe(507);
      expect(res.json.error.code).toBe('STORAGE_FULL');
      expect(res.json.error.message).toMatch(/disk space/);
      const openAi = await post(t, '/v1/audio/transcriptions');
      expect(openAi.status).toBe(507);
      expect(openAi.json.error.code).toBe('STORAGE_FULL');
    } finally {
      disk.noSpace = false;
    }
    expect(await t.taskCount()).toBe(0);
  });

  it('answers 507 STORAGE_FULL when inserting the task fails with SQLITE_FULL', async () => {
    const t = await buildTestApp();
    // SQLite's own SQLITE_FULL cannot be brought about through the service (its handle is not reachable): stub the insert.
    t.tasks.submit = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const res = await post(t);
    expect(res.status).toBe(507);
    expect(res.json.error.code).toBe('STORAGE_FULL');
    expect(fs.readdirSync(`${t.config.DATA_DIR}/uploads`)).toEqual([]); // the upload is not kept
  });
});
