import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMediaRemover } from '../../src/db/media-files.ts';

describe('createMediaRemover', () => {
  let root: string;
  let dataDir: string;
  const touch = (file: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'x');
    return file;
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'media-'));
    dataDir = path.join(root, 'data');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('deletes the upload folder of the media and an uploads/<taskId> folder', async () => {
    const media = touch(path.join(dataDir, 'uploads/abc123/media.wav'));
    const sibling = touch(path.join(dataDir, 'uploads/other/media.wav'));
    const own = touch(path.join(dataDir, 'uploads/task-1/extra.bin'));
    await createMediaRemover(dataDir)({ id: 'task-1', mediaPath: media });
    expect(existsSync(path.dirname(media))).toBe(false);
    expect(existsSync(path.dirname(own))).toBe(false);
    expect(existsSync(sibling)).toBe(true);
    expect(existsSync(path.join(dataDir, 'uploads'))).toBe(true);
  });

  it('deletes a media file elsewhere inside DATA_DIR but never anything outside it', async () => {
    const inside = touch(path.join(dataDir, 'media/a.wav'));
    const outside = touch(path.join(root, 'precious.wav'));
    const remove = createMediaRemover(dataDir);
    await remove({ id: 't', mediaPath: inside });
    await remove({ id: '../../precious.wav', mediaPath: outside });
    await remove({ id: '..', mediaPath: null });
    expect(existsSync(inside)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(dataDir)).toBe(true);
  });
});
