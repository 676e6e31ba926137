// Dialogues with known turns, spoken by espeak-ng voices that differ a lot (pitch, speed, accent),
// for diarization tests and the diarization benchmark. Made on demand, cached in test/.cache/media.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MEDIA_CACHE } from './fixtures.ts';

/** espeak-ng arguments of each voice; different enough for the stand-in embedding model. */
export const VOICES = [
  ['-v', 'en-us+m3', '-p', '30', '-s', '160'],
  ['-v', 'en+f4', '-p', '85', '-s', '180'],
  ['-v', 'en-gb-scotland+m7', '-p', '55', '-s', '135'],
] as const;

const LINES = [
  'Good morning, I wanted to talk about the quarterly budget numbers today.',
  'Sure, what seems to be the problem with the marketing spending this year?',
  'We are over by almost twenty percent and the board is asking questions.',
  'That is concerning. Have you looked at the travel expenses in detail?',
  'Yes, travel is fine, it is mostly the new advertising campaign costs.',
  'Then we should schedule a meeting with the agency next week to review it.',
  'I agree, and let us invite the finance team as well, they know the contract.',
  'Perfect, I will send the invitation this afternoon and share the figures.',
];

/** A reference turn: which voice (index into VOICES) spoke when, in seconds. */
export interface TrueTurn {
  voice: number;
  start: number;
  end: number;
}

/** A made dialogue: a 16 kHz mono 16-bit WAV, its samples as float, and the true turns. */
export interface Dialogue {
  wav: string;
  samples: Float32Array;
  turns: TrueTurn[];
  seconds: number;
}

const RATE = 16_000;
const GAP_SECONDS = 0.6;

function speak(voice: number, text: string): Float32Array {
  const wav = execFileSync('espeak-ng', [...VOICES[voice]!, '--stdout', text], { maxBuffer: 64 << 20, timeout: 60_000 });
  const raw = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', 'pipe:0', '-f', 'f32le', '-ac', '1', '-ar', String(RATE), 'pipe:1'],
    { input: wav, maxBuffer: 256 << 20, timeout: 60_000 });
  return trimSilence(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
}

// espeak-ng pads its output with silence; the true turn is where the voice is, so trim it off.
function trimSilence(x: Float32Array): Float32Array {
  const loud = (i: number) => Math.abs(x[i]!) > 0.01;
  let a = 0;
  let b = x.length - 1;
  while (a < b && !loud(a)) a++;
  while (b > a && !loud(b)) b--;
  return x.slice(a, b + 1);
}

/**
 * Speaks `order` (voice indexes), one line each from a fixed script (cycling), with a short pause
 * between turns; `repeat` repeats the whole script (for long benchmark audio).
 */
export function makeDialogue(order: readonly number[], repeat = 1): Dialogue {
  const key = createHash('sha256').update(JSON.stringify({ order, repeat, VOICES, LINES, GAP_SECONDS, v: 1 })).digest('hex').slice(0, 16);
  const wav = path.join(MEDIA_CACHE, `dialogue-${key}.wav`);
  const meta = `${wav}.json`;
  if (!existsSync(wav) || !existsSync(meta)) {
    mkdirSync(MEDIA_CACHE, { recursive: true });
    const parts: Float32Array[] = [];
    const turns: TrueTurn[] = [];
    let at = 0;
    const gap = new Float32Array(Math.round(GAP_SECONDS * RATE));
    const spoken = new Map<string, Float32Array>(); // espeak-ng is deterministic: speak each line once
    for (let r = 0; r < repeat; r++) {
      order.forEach((voice, i) => {
        const key = `${voice}:${i % LINES.length}`;
        if (!spoken.has(key)) spoken.set(key, speak(voice, LINES[i % LINES.length]!));
        const speech = spoken.get(key)!;
        turns.push({ voice, start: at / RATE, end: (at + speech.length) / RATE });
        parts.push(speech, gap);
        at += speech.length + gap.length;
      });
    }
    writeAtomically(wav, wavBytes(parts, at));
    writeAtomically(meta, Buffer.from(JSON.stringify(turns)));
  }
  const turns = JSON.parse(readFileSync(meta, 'utf8')) as TrueTurn[];
  const samples = readWav16(wav);
  return { wav, samples, turns, seconds: samples.length / RATE };
}

/** Seconds of silence (exact zeros) as a WAV file. */
export function makeSilence(seconds: number): string {
  const wav = path.join(MEDIA_CACHE, `silence-${seconds}s.wav`);
  if (!existsSync(wav)) {
    mkdirSync(MEDIA_CACHE, { recursive: true });
    const n = Math.round(seconds * RATE);
    writeAtomically(wav, wavBytes([new Float32Array(n)], n));
  }
  return wav;
}

function wavBytes(parts: Float32Array[], total: number): Buffer {
  const out = Buffer.alloc(44 + total * 2);
  out.write('RIFF', 0); out.writeUInt32LE(36 + total * 2, 4); out.write('WAVE', 8);
  out.write('fmt ', 12); out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22);
  out.writeUInt32LE(RATE, 24); out.writeUInt32LE(RATE * 2, 28); out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34);
  out.write('data', 36); out.writeUInt32LE(total * 2, 40);
  let o = 44;
  for (const p of parts) for (const v of p) { out.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), o); o += 2; }
  return out;
}

function readWav16(file: string): Float32Array {
  const bytes = readFileSync(file);
  const n = (bytes.length - 44) / 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(44 + i * 2) / 32767;
  return out;
}

function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * The share of true speech time given to the right speaker, after the best one-to-one mapping of
 * hypothesis labels to true voices (brute force: a handful of speakers at most).
 */
export function speakerAccuracy(truth: readonly TrueTurn[], hypothesis: readonly { speaker: string; start: number; end: number }[]): number {
  const labels = [...new Set(hypothesis.map((h) => h.speaker))];
  const voices = [...new Set(truth.map((t) => t.voice))];
  const overlap = (voice: number, label: string) => truth.filter((t) => t.voice === voice).reduce((sum, t) =>
    sum + hypothesis.filter((h) => h.speaker === label).reduce((s, h) => s + Math.max(0, Math.min(t.end, h.end) - Math.max(t.start, h.start)), 0), 0);
  const total = truth.reduce((s, t) => s + (t.end - t.start), 0);
  let best = 0;
  const assign = (i: number, used: Set<string>, sum: number) => {
    if (i === voices.length) { best = Math.max(best, sum); return; }
    assign(i + 1, used, sum); // this voice gets no label
    for (const label of labels) {
      if (used.has(label)) continue;
      used.add(label);
      assign(i + 1, used, sum + overlap(voices[i]!, label));
      used.delete(label);
    }
  };
  assign(0, new Set(), 0);
  return total > 0 ? best / total : 0;
}
