import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMediaStore } from '../../src/media/media-store.ts';

describe('createMediaStore', () => {
  let root: string;
  let dataDir: string;
  let uploads: string;
  const touch = (file: string, bytes = 1) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.alloc(bytes));
    return file;
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'media-'));
    dataDir = path.join(root, 'data');
    uploads = path.join(dataDir, 'uploads');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('deletes the upload folder of the media and an uploads/<taskId> folder', async () => {
    const media = touch(path.join(uploads, 'abc123/media.wav'));
    const sibling = touch(path.join(uploads, 'other/media.wav'));
    const own = touch(path.join(uploads, 'task-1/extra.bin'));
    await createMediaStore(uploads, dataDir).remove({ id: 'task-1', mediaPath: media });
    expect(existsSync(path.dirname(media))).toBe(false);
    expect(existsSync(path.dirname(own))).toBe(false);
    expect(existsSync(sibling)).toBe(true);
    expect(existsSync(uploads)).toBe(true);
  });

  it('deletes a media file elsewhere inside DATA_DIR but never anything outside it', async () => {
    const inside = touch(path.join(dataDir, 'media/a.wav'));
    const outside = touch(path.join(root, 'precious.wav'));
    const store = createMediaStore(uploads, dataDir);
    await store.remove({ id: 't', mediaPath: inside });
    await store.remove({ id: '../../precious.wav', mediaPath: outside });
    await store.remove({ id: '..', mediaPath: null });
    expect(existsSync(inside)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(dataDir)).toBe(true);
  });

  it('deletes the upload folder of a MEDIA_DIR outside DATA_DIR', async () => {
    const shared = path.join(root, 'shared-media');
    const media = touch(path.join(shared, 'f1/media.wav'));
    await createMediaStore(shared, dataDir).remove({ id: 'x', mediaPath: media });
    expect(existsSync(path.dirname(media))).toBe(false);
    expect(existsSync(shared)).toBe(true);
  });

  it('makes MEDIA_DIR and a fresh folder per upload inside it', async () => {
    const store = createMediaStore(uploads, dataDir);
    expect(await store.entries()).toEqual([]); // not made yet: nothing to list, no error
    await store.ensure();
    expect(existsSync(uploads)).toBe(true);
    const [a, b] = [await store.newFolder(), await store.newFolder()];
    expect(a).not.toBe(b);
    for (const folder of [a, b]) {
      expect(path.dirname(folder)).toBe(uploads);
      expect(existsSync(folder)).toBe(true);
    }
    expect((await store.entries()).sort()).toEqual([a, b].sort());
  });

  it('discards an entry of MEDIA_DIR and nothing anywhere else', async () => {
    const store = createMediaStore(uploads, dataDir);
    const entry = touch(path.join(uploads, 'leftover/media.wav'));
    const nested = touch(path.join(uploads, 'kept/media.wav'));
    const outside = touch(path.join(root, 'precious.wav'));
    await store.discard(path.dirname(entry));
    await store.discard(nested);
    await store.discard(outside);
    await store.discard(path.join(uploads, '..'));
    expect(existsSync(path.dirname(entry))).toBe(false);
    expect(existsSync(nested)).toBe(true);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(uploads)).toBe(true);
  });

  it('takes a folder\'s last write from what it holds, and null for an entry that is gone', async () => {
    const store = createMediaStore(uploads, dataDir);
    const file = touch(path.join(uploads, 'slow/media.wav'));
    utimesSync(path.dirname(file), new Date(0), new Date(0));
    utimesSync(file, new Date(5000), new Date(5000));
    expect(await store.lastWrite(path.dirname(file))).toBe(5000);
    expect(await store.lastWrite(path.join(uploads, 'gone'))).toBeNull();
  });

  it('measures every regular file under MEDIA_DIR and nothing else', async () => {
    const store = createMediaStore(uploads, dataDir);
    expect(await store.measure()).toEqual({ bytes: 0, files: 0 });
    touch(path.join(uploads, 'a/media.wav'), 1234);
    touch(path.join(uploads, 'a/nested/x'), 66);
    touch(path.join(uploads, 'loose'), 100);
    touch(path.join(dataDir, 'unrelated.bin'), 5000);
    symlinkSync(path.join(dataDir, 'unrelated.bin'), path.join(uploads, 'link'));
    expect(await store.measure()).toEqual({ bytes: 1400, files: 3 });
  });
});
