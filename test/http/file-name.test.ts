import { describe, expect, it } from 'vitest';
import { safeExtension, sanitizeFileName } from '../../src/http/intake/file-name.ts';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\talk.mp3', 'talk.mp3'],
    ['a\u0000b\u001fc.wav', 'abc.wav'],
    ['...hidden', 'hidden'],
    ['   ', 'upload'],
    [undefined, 'upload'],
    ['interview <final>?.m4a', 'interview final.m4a'],
  ])('turns %j into %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('bounds the length in bytes', () => {
    expect(Buffer.byteLength(sanitizeFileName('é'.repeat(500)))).toBeLessThanOrEqual(200);
  });
});

describe('safeExtension', () => {
  it('keeps short alphanumeric extensions only', () => {
    expect(safeExtension('a.MP3')).toBe('.mp3');
    expect(safeExtension('a.tar.gz')).toBe('.gz');
    expect(safeExtension('a.<script>')).toBe('');
    expect(safeExtension('noext')).toBe('');
  });
});
