import { open } from 'node:fs/promises';
import { TaskFailure } from '../tasks/errors.ts';

/** Sample layout of a WAV file that we decode in-process. */
export interface WavInfo {
  encoding: 'int' | 'float';
  /** Bytes per sample as stored (the container size, e.g. 3 for 24-bit). */
  bytesPerSample: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  dataOffset: number;
  /** Bytes of sample data to decode: what the header declares, or what is present for streaming headers. */
  dataBytes: number;
  /** The header declares more data than the file holds. */
  truncated: boolean;
  codec: string;
}

/** What sniffing a file's first bytes found. */
export type WavSniff = { kind: 'not-wav' } | { kind: 'unsupported'; formatTag: number } | { kind: 'pcm'; info: WavInfo };

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const SIZE_UNKNOWN = 0xffffffff;
// Chunks before `data` (LIST, bext, iXML ...) are normally small; a header bigger than this is broken.
const MAX_HEADER_BYTES = 1 << 20;

const broken = (why: string) => new TaskFailure('AUDIO_DECODE_FAILED', `WAV header: ${why}`);

/** Parses a RIFF/RF64 WAVE header; PCM int 8/16/24/32 and float 32/64 (also in WAVE_FORMAT_EXTENSIBLE). */
export async function readWavHeader(file: string): Promise<WavSniff> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await fh.read(head, 0, head.length, 0);
    return parseWavHeader(head, size);
  } finally {
    await fh.close();
  }
}

/** Parses a header from the file's first bytes; `fileSize` tells how much data really follows. */
export function parseWavHeader(head: Buffer, fileSize: number): WavSniff {
  if (head.length < 12) return { kind: 'not-wav' };
  const riff = head.toString('latin1', 0, 4);
  if ((riff !== 'RIFF' && riff !== 'RF64') || head.toString('latin1', 8, 12) !== 'WAVE') return { kind: 'not-wav' };
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number } | undefined;
  let ds64DataSize: number | undefined;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'ds64' && body + 16 <= head.length) {
      ds64DataSize = Number(head.readBigUInt64LE(body + 8));
    } else if (id === 'fmt ') {
      if (size < 16 || body + 16 > head.length) throw broken('fmt chunk too short');
      let tag = head.readUInt16LE(body);
      if (tag === FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 26 > head.length) throw broken('WAVE_FORMAT_EXTENSIBLE without a sub-format');
        tag = head.readUInt16LE(body + 24); // first two bytes of the SubFormat GUID hold the format tag
      }
      fmt = { tag, channels: head.readUInt16LE(body + 2), rate: head.readUInt32LE(body + 4), blockAlign: head.readUInt16LE(body + 12), bits: head.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw broken('data chunk before fmt chunk');
      const declared = riff === 'RF64' && size === SIZE_UNKNOWN && ds64DataSize !== undefined ? ds64DataSize : size;
      return sampleLayout(fmt, body, declared, fileSize - body);
    }
    off = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw broken(fmt ? 'no data chunk' : 'no fmt chunk');
}

function sampleLayout(
  fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number },
  dataOffset: number,
  declared: number,
  available: number,
): WavSniff {
  if (fmt.tag !== FORMAT_PCM && fmt.tag !== FORMAT_FLOAT) return { kind: 'unsupported', formatTag: fmt.tag };
  const bytesPerSample = Math.ceil(fmt.bits / 8);
  const encoding = fmt.tag === FORMAT_FLOAT ? 'float' : 'int';
  const valid = encoding === 'float' ? bytesPerSample === 4 || bytesPerSample === 8 : bytesPerSample >= 1 && bytesPerSample <= 4;
  if (!valid) throw broken(`${fmt.bits}-bit ${encoding} samples are not supported`);
  if (fmt.channels < 1) throw broken('zero channels');
  if (fmt.rate < 1000 || fmt.rate > 768_000) throw broken(`implausible sample rate ${fmt.rate}`);
  const blockAlign = Math.max(fmt.blockAlign, fmt.channels * bytesPerSample);
  // Streaming writers leave 0 or 0xFFFFFFFF in the size field: take what is there.
  const placeholder = declared === 0 || declared === SIZE_UNKNOWN;
  const wanted = placeholder ? available : declared;
  const dataBytes = Math.min(wanted, Math.max(0, available));
  const codec = `pcm_${encoding === 'float' ? 'f' : bytesPerSample === 1 ? 'u' : 's'}${bytesPerSample * 8}${bytesPerSample > 1 ? 'le' : ''}`;
  return {
    kind: 'pcm',
    info: { encoding, bytesPerSample, channels: fmt.channels, sampleRate: fmt.rate, blockAlign, dataOffset, dataBytes, truncated: wanted > available, codec },
  };
}
