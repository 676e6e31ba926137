import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/decode-audio.ts';
import { ChildMessageSchema, parseMessage, type ChildMessage } from '../../src/engine/protocol.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import { CACHE_DIR, JFK_WAV, ROOT, SILERO_VAD, TINY_EN_RANDOM, requireFile } from '../helpers/paths.ts';

const ENTRY = path.join(ROOT, 'src/engine/worker-main.ts');
const FIXTURES = path.join(CACHE_DIR, 'engine');
const PARAMS: TaskParams = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0 };
const SLOW = 240_000;

/** A forked worker-main with every message it sent, validated against the protocol. */
function startWorker(env: Record<string, string>) {
  const child: ChildProcess = fork(ENTRY, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, WHISPER_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const messages: ChildMessage[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.resume();
  child.on('message', (raw) => {
    const parsed = parseMessage(ChildMessageSchema, raw);
    if (!parsed.ok) throw new Error(`worker sent an invalid message: ${parsed.detail}`);
    messages.push(parsed.message);
    for (const wake of waiters.splice(0)) wake();
  });
  const waitFor = async <T extends ChildMessage>(match: (m: ChildMessage) => m is T, from = 0): Promise<T> => {
    for (;;) {
      const found = messages.slice(from).find(match);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}); stderr:\n${stderr}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, messages, waitFor, stderr: () => stderr };
}

/** A canonical 16 kHz mono 16-bit WAV of the parts, one after the other. */
function wav16(parts: Float32Array[]): Buffer {
  const samples = parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(16_000, 24);
  out.writeUInt32LE(32_000, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(samples * 2, 40);
  let at = 44;
  for (const part of parts) {
    for (const x of part) {
      out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x * 32767))), at);
      at += 2;
    }
  }
  return out;
}

const endOf = (taskId: string) => (m: ChildMessage): m is Extract<ChildMessage, { type: 'result' | 'failed' }> =>
  (m.type === 'result' || m.type === 'failed') && m.taskId === taskId;
const ofTask = (messages: ChildMessage[], taskId: string) => messages.filter((m) => 'taskId' in m && m.taskId === taskId);

describe('worker-main', () => {
  let worker: ReturnType<typeof startWorker>;
  let longWav: string;
  let corrupt: string;

  beforeAll(async () => {
    mkdirSync(FIXTURES, { recursive: true });
    // jfk three times over: this random-weight model then decodes for minutes, so cancel has time to act.
    const jfk = await decodeAudio(requireFile(JFK_WAV));
    longWav = path.join(FIXTURES, 'jfk-x3.wav');
    writeFileSync(longWav, wav16([jfk, jfk, jfk]));
    corrupt = path.join(FIXTURES, 'corrupt.mp3');
    writeFileSync(corrupt, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    worker = startWorker({ WHISPER_MODEL: requireFile(TINY_EN_RANDOM), WHISPER_VAD_MODEL: requireFile(SILERO_VAD), WHISPER_DTW: '1' });
    await worker.waitFor((m): m is ChildMessage => m.type === 'ready');
  }, 120_000);

  afterAll(() => {
    if (worker?.child.exitCode === null) worker.child.kill('SIGKILL');
  });

  it('announces ready with the model and system info', () => {
    expect(worker.messages[0]).toMatchObject({ type: 'ready', model: { name: 'ggml-tiny.en-random.bin', type: 'tiny.en', multilingual: false } });
    expect(worker.messages[0]).toHaveProperty('systemInfo', expect.stringMatching(/CPU/));
  });

  it('answers started, progress, segments and result for a transcription', async () => {
    const from = worker.messages.length;
    worker.child.send({ type: 'transcribe', taskId: 't1', mediaPath: JFK_WAV, params: PARAMS });
    const end = await worker.waitFor(endOf('t1'), from);
    expect(end.type).toBe('result');
    const sent = ofTask(worker.messages, 't1');
    expect(sent[0]).toMatchObject({ type: 'started', durationSec: 11 });
    const percents = sent.flatMap((m) => (m.type === 'progress' ? [m.percent] : []));
    expect(percents.at(-1)).toBe(100);
    expect(percents.every((p, i) => i === 0 || p > percents[i - 1]!)).toBe(true);
    const segments = sent.flatMap((m) => (m.type === 'segment' ? [m.segment] : []));
    expect(segments.length).toBeGreaterThan(0);
    // Word timestamps were asked: the worker sends each live segment with its words.
    expect(segments.every((s) => Array.isArray(s.words))).toBe(true);
    if (end.type !== 'result') return;
    expect(end.result.segments).toEqual(segments);
    expect(end.result).toMatchObject({ language: 'en', duration: 11, model: 'ggml-tiny.en-random.bin' });
    for (const s of segments) expect(0 <= s.start && s.start < s.end && s.end <= 11.02).toBe(true);
  }, SLOW);

  it('survives invalid messages and answers a malformed transcribe with failed', async () => {
    const from = worker.messages.length;
    worker.child.send({ type: 'bogus' });
    worker.child.send({ type: 'transcribe', taskId: 'bad', mediaPath: 5 });
    const end = await worker.waitFor(endOf('bad'), from);
    expect(end).toMatchObject({ type: 'failed', error: { code: 'PROCESSING_FAILED' } });
    expect(worker.stderr()).toMatch(/ignoring invalid message/);
    expect(worker.child.exitCode).toBeNull();
  });

  it('cancels a running task, refuses a second one meanwhile, and goes on', async () => {
    const from = worker.messages.length;
    worker.child.send({ type: 'transcribe', taskId: 'long', mediaPath: longWav, params: PARAMS });
    const first = await worker.waitFor((m): m is ChildMessage => (m.type === 'progress' || m.type === 'failed') && m.taskId === 'long', from);
    expect(first.type).toBe('progress');
    worker.child.send({ type: 'transcribe', taskId: 'second', mediaPath: JFK_WAV, params: PARAMS });
    expect(await worker.waitFor(endOf('second'), from)).toMatchObject({ type: 'failed', error: { code: 'PROCESSING_FAILED', technicalDetail: expect.stringMatching(/busy/) } });
    const cancelledAt = Date.now();
    worker.child.send({ type: 'cancel', taskId: 'long' });
    expect(await worker.waitFor(endOf('long'), from)).toMatchObject({ type: 'failed', error: { code: 'CANCELLED' } });
    console.info(`worker cancel latency: ${Date.now() - cancelledAt} ms`);
    // Still alive and serving: a corrupt file fails cleanly with the decoder's code.
    worker.child.send({ type: 'transcribe', taskId: 'corrupt', mediaPath: corrupt, params: PARAMS });
    expect(await worker.waitFor(endOf('corrupt'), from)).toMatchObject({ type: 'failed', error: { code: 'AUDIO_DECODE_FAILED' } });
  }, SLOW);

  it('exits 0 on shutdown', async () => {
    const exited = once(worker.child, 'exit');
    worker.child.send({ type: 'shutdown' });
    expect((await exited)[0]).toBe(0);
  });

  it('reports load_failed with MODEL_UNAVAILABLE and exits 1 when the model cannot be loaded', async () => {
    const broken = startWorker({ WHISPER_MODEL: path.join(FIXTURES, 'missing-model.bin') });
    const exited = once(broken.child, 'exit');
    const failed = await broken.waitFor((m): m is Extract<ChildMessage, { type: 'load_failed' }> => m.type === 'load_failed');
    expect(failed.error.code).toBe('MODEL_UNAVAILABLE');
    expect(failed.error.technicalDetail).toMatch(/missing-model\.bin/);
    expect((await exited)[0]).toBe(1);
  }, 60_000);
});
