import { open } from 'node:fs/promises';
import path from 'node:path';
import { AHEADS_PRESET } from './bindings-structs.ts';

/** The hyper-parameters at the start of a ggml Whisper model file. */
export interface ModelHeader {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  ftype: number;
}

const GGML_MAGIC = 0x67676d6c;
const FIELDS = ['nVocab', 'nAudioCtx', 'nAudioState', 'nAudioHead', 'nAudioLayer', 'nTextCtx', 'nTextState',
  'nTextHead', 'nTextLayer', 'nMels', 'ftype'] as const;

/** Reads the header; null when the file is not a ggml Whisper model (whisper.cpp then reports why). */
export async function readModelHeader(file: string): Promise<ModelHeader | null> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4 + FIELDS.length * 4);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead < buf.length || buf.readUInt32LE(0) !== GGML_MAGIC) return null;
    const entries = FIELDS.map((name, i) => [name, buf.readInt32LE(4 + i * 4)] as const);
    return Object.fromEntries(entries) as unknown as ModelHeader;
  } finally {
    await handle.close();
  }
}

// whisper.cpp's own rule: the multilingual vocabulary has 51865 tokens or more.
const isMultilingual = (h: ModelHeader) => h.nVocab >= 51865;

/** The model size ("tiny" … "large-v3-turbo", ".en" suffix for English-only), from shapes and file name. */
export function modelKind(header: ModelHeader, file: string): string {
  const en = isMultilingual(header) ? '' : '.en';
  switch (header.nAudioLayer) {
    case 4: return `tiny${en}`;
    case 6: return `base${en}`;
    case 12: return `small${en}`;
    case 24: return `medium${en}`;
    case 32:
      // v1 and v2 share every shape; only the file name tells them apart (v2 is the common one).
      if (header.nMels === 128) return header.nTextLayer === 4 ? 'large-v3-turbo' : 'large-v3';
      return /v1/i.test(path.basename(file)) ? 'large-v1' : 'large-v2';
    default: return 'unknown';
  }
}

const PRESETS: Record<string, number> = {
  'tiny.en': AHEADS_PRESET.TINY_EN, tiny: AHEADS_PRESET.TINY,
  'base.en': AHEADS_PRESET.BASE_EN, base: AHEADS_PRESET.BASE,
  'small.en': AHEADS_PRESET.SMALL_EN, small: AHEADS_PRESET.SMALL,
  'medium.en': AHEADS_PRESET.MEDIUM_EN, medium: AHEADS_PRESET.MEDIUM,
  'large-v1': AHEADS_PRESET.LARGE_V1, 'large-v2': AHEADS_PRESET.LARGE_V2,
  'large-v3': AHEADS_PRESET.LARGE_V3, 'large-v3-turbo': AHEADS_PRESET.LARGE_V3_TURBO,
};

/** The DTW alignment-heads preset for a model kind; NONE when the kind is unknown. */
export function dtwPreset(kind: string): number {
  return PRESETS[kind] ?? AHEADS_PRESET.NONE;
}
