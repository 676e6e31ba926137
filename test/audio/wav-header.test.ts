import { describe, expect, it } from 'vitest';
import { framesToMono } from '../../src/audio/pcm-convert.ts';
import { parseWavHeader, type WavInfo } from '../../src/audio/wav-header.ts';
import { TaskFailure } from '../../src/tasks/errors.ts';

interface Fmt { tag: number; channels: number; rate: number; bits: number; extensibleTag?: number }

function fmtChunk(f: Fmt): Buffer {
  const ext = f.extensibleTag !== undefined;
  const body = Buffer.alloc(ext ? 40 : 16);
  const block = (f.channels * Math.ceil(f.bits / 8));
  body.writeUInt16LE(ext ? 0xfffe : f.tag, 0);
  body.writeUInt16LE(f.channels, 2);
  body.writeUInt32LE(f.rate, 4);
  body.writeUInt32LE(f.rate * block, 8);
  body.writeUInt16LE(block, 12);
  body.writeUInt16LE(f.bits, 14);
  if (ext) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(f.bits, 18);
    body.writeUInt16LE(f.extensibleTag!, 24);
  }
  return chunk('fmt ', body);
}
function chunk(id: string, body: Buffer, declared = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(declared, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
}
function wav(chunks: Buffer[], riff = 'RIFF'): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write(riff, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}
function pcmInfo(file: Buffer): WavInfo {
  const sniff = parseWavHeader(file, file.length);
  if (sniff.kind !== 'pcm') throw new Error(`expected pcm, got ${sniff.kind}`);
  return sniff.info;
}

describe('parseWavHeader', () => {
  it('finds the data after an odd-sized LIST chunk', () => {
    const file = wav([fmtChunk({ tag: 1, channels: 2, rate: 44_100, bits: 16 }), chunk('LIST', Buffer.from('abc')), chunk('data', Buffer.alloc(400))]);
    const info = pcmInfo(file);
    expect(info).toMatchObject({ encoding: 'int', bytesPerSample: 2, channels: 2, sampleRate: 44_100, blockAlign: 4, dataBytes: 400, truncated: false, codec: 'pcm_s16le' });
    expect(file.readUInt32LE(info.dataOffset - 4)).toBe(400);
  });

  it('reads the sub-format of WAVE_FORMAT_EXTENSIBLE', () => {
    const info = pcmInfo(wav([fmtChunk({ tag: 0, channels: 6, rate: 48_000, bits: 32, extensibleTag: 3 }), chunk('data', Buffer.alloc(240))]));
    expect(info).toMatchObject({ encoding: 'float', bytesPerSample: 4, channels: 6, codec: 'pcm_f32le' });
  });

  it('takes the rest of the file when the data size is a streaming placeholder', () => {
    const file = wav([fmtChunk({ tag: 1, channels: 1, rate: 16_000, bits: 16 }), chunk('data', Buffer.alloc(100), 0xffffffff)]);
    expect(pcmInfo(file)).toMatchObject({ dataBytes: 100, truncated: false });
  });

  it('flags a data chunk that claims more bytes than the file has', () => {
    const file = wav([fmtChunk({ tag: 1, channels: 1, rate: 16_000, bits: 16 }), chunk('data', Buffer.alloc(100), 0x7ffffff0)]);
    expect(pcmInfo(file)).toMatchObject({ dataBytes: 100, truncated: true });
  });

  it('hands codecs it does not decode (ADPCM) back as unsupported', () => {
    const file = wav([fmtChunk({ tag: 2, channels: 1, rate: 16_000, bits: 4 }), chunk('data', Buffer.alloc(100))]);
    expect(parseWavHeader(file, file.length)).toEqual({ kind: 'unsupported', formatTag: 2 });
  });

  it('says not-wav for other files', () => {
    const mp3ish = Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000 and more bytes', 'latin1');
    expect(parseWavHeader(mp3ish, mp3ish.length)).toEqual({ kind: 'not-wav' });
  });

  it.each([
    ['no fmt chunk', wav([chunk('data', Buffer.alloc(10))])],
    ['no data chunk', wav([fmtChunk({ tag: 1, channels: 1, rate: 16_000, bits: 16 })])],
    ['zero channels', wav([fmtChunk({ tag: 1, channels: 0, rate: 16_000, bits: 16 }), chunk('data', Buffer.alloc(10))])],
    ['an absurd rate', wav([fmtChunk({ tag: 1, channels: 1, rate: 7, bits: 16 }), chunk('data', Buffer.alloc(10))])],
    ['12-byte float', wav([fmtChunk({ tag: 3, channels: 1, rate: 16_000, bits: 96 }), chunk('data', Buffer.alloc(12))])],
  ])('throws AUDIO_DECODE_FAILED for %s', (_why, file) => {
    expect(() => parseWavHeader(file, file.length)).toThrow(TaskFailure);
    expect(() => parseWavHeader(file, file.length)).toThrow(expect.objectContaining({ code: 'AUDIO_DECODE_FAILED' }));
  });
});

describe('framesToMono', () => {
  const layout = (encoding: 'int' | 'float', bytesPerSample: number, channels: number) => ({ encoding, bytesPerSample, channels, blockAlign: bytesPerSample * channels });

  it('centres unsigned 8-bit samples', () => {
    expect(Array.from(framesToMono(Uint8Array.from([128, 0, 255]), layout('int', 1, 1)))).toEqual([0, -1, 127 / 128]);
  });

  it('sign-extends 24-bit samples', () => {
    const bytes = Uint8Array.from([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]);
    expect(Array.from(framesToMono(bytes, layout('int', 3, 1)))).toEqual([-1, 8388607 / 8388608, -1 / 8388608]);
  });

  it('averages channels and ignores a trailing partial frame', () => {
    const buf = Buffer.alloc(10);
    buf.writeInt16LE(16384, 0);
    buf.writeInt16LE(-16384, 2);
    buf.writeInt16LE(32767, 4);
    buf.writeInt16LE(32767, 6);
    expect(Array.from(framesToMono(buf, layout('int', 2, 2)))).toEqual([0, 32767 / 32768]);
  });

  it('replaces NaN and infinity in float data with silence', () => {
    const f = Float64Array.from([0.5, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(Array.from(framesToMono(new Uint8Array(f.buffer), layout('float', 8, 1)))).toEqual([0.5, 0, 0]);
  });
});
