import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, JFK_WAV } from '../test/helpers/paths.ts';

/** Writes jfk.wav's samples repeated until the file lasts at least `seconds` (16-bit PCM, as whisper-cli wants). */
export function makeBenchAudio(seconds: number): { file: string; seconds: number } {
  const wav = readFileSync(JFK_WAV);
  let offset = 12;
  let fmt: Buffer | null = null;
  let data: Buffer | null = null;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'fmt ') fmt = wav.subarray(offset + 8, offset + 8 + size);
    if (id === 'data') data = wav.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size + (size % 2);
  }
  if (!fmt || !data) throw new Error(`${JFK_WAV} has no fmt or data chunk`);
  const byteRate = fmt.readUInt32LE(8);
  const copies = Math.ceil((seconds * byteRate) / data.length);
  const body = Buffer.concat(Array.from({ length: copies }, () => data));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + body.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  fmt.copy(header, 20, 0, 16);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(body.length, 40);
  const dir = path.join(CACHE_DIR, 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `jfk-x${copies}.wav`);
  if (!existsSync(file)) writeFileSync(file, Buffer.concat([header, body]));
  return { file, seconds: body.length / byteRate };
}

/** The median of a non-empty list. */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
