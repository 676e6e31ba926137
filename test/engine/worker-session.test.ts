import { describe, expect, it } from 'vitest';
import type { ChildMessage, ParentMessage } from '../../src/engine/protocol.ts';
import type { WhisperEngine } from '../../src/engine/worker/whisper-engine.ts';
import { createWorkerSession, type MediaReader } from '../../src/engine/worker/worker-session.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import type { Segment, TranscriptResult } from '../../src/contract/transcript.ts';

const PARAMS: TaskParams = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 };

/** Two segments of two tokens each, with token times (no DTW). */
function segments(): Segment[] {
  const token = (id: number, text: string, t0: number, t1: number) => ({ id, text, p: 0.5, t0, t1, tDtw: -1, special: false });
  return [
    { id: 0, start: 0, end: 2, text: ' Hello there', noSpeechProb: 0, avgLogprob: -0.2, tokens: [token(1, ' Hello', 0, 1), token(2, ' there', 1, 2)] },
    { id: 1, start: 2, end: 4, text: ' good bye', noSpeechProb: 0, avgLogprob: -0.2, tokens: [token(3, ' good', 2, 3), token(4, ' bye', 3, 4)] },
  ];
}

/** An engine without native code: reads the PCM, then reports the segments one by one. */
function fakeEngine(): WhisperEngine {
  return {
    load: async () => ({ name: 'fake', type: 'tiny', multilingual: false, dtw: false }),
    modelInfo: () => null,
    systemInfo: () => 'fake',
    async transcribe(input, _params, hooks = {}): Promise<TranscriptResult> {
      if (!(input instanceof Float32Array)) for await (const _chunk of input) { /* drain */ }
      const out = segments();
      for (const segment of out) hooks.onSegment?.(segment);
      hooks.onProgress?.(100);
      return { text: out.map((s) => s.text).join(''), language: 'en', languageProbability: null, duration: 4, model: 'fake', segments: out, timings: { decodeMs: 0, transcribeMs: 0, totalMs: 0 } };
    },
    detectSpeech: async () => [],
    nativeBusy: () => false,
    close: () => {},
  };
}

/** A session over the fake engine, with every message it sent and every probe it asked for. */
function rig() {
  const sent: ChildMessage[] = [];
  const probes: string[] = [];
  const media: MediaReader = {
    async duration(file) {
      probes.push(file);
      return 7;
    },
    async *pcm() {
      yield new Float32Array(16_000);
    },
  };
  const session = createWorkerSession({ engine: fakeEngine(), media, send: (m) => void sent.push(m), warn: () => {} });
  const run = async (message: Extract<ParentMessage, { type: 'transcribe' }>) => {
    const mine = () => sent.filter((m) => 'taskId' in m && m.taskId === message.taskId);
    session.handle(message);
    while (!mine().some((m) => m.type === 'result' || m.type === 'failed')) await new Promise((resolve) => setTimeout(resolve, 5));
    return mine();
  };
  return { sent, probes, run };
}

describe('createWorkerSession', () => {
  it('does not probe the media when the job carries its duration, and announces that duration', async () => {
    const r = rig();
    const messages = await r.run({ type: 'transcribe', taskId: 'known', mediaPath: '/m/a.mp3', params: PARAMS, mediaDurationSec: 60 });
    expect(r.probes).toEqual([]);
    expect(messages[0]).toEqual({ type: 'started', taskId: 'known', durationSec: 60 });
    expect(messages.at(-1)?.type).toBe('result');
  });

  it('probes the media when the duration is unknown (null or absent)', async () => {
    const r = rig();
    const first = await r.run({ type: 'transcribe', taskId: 'null', mediaPath: '/m/b.mp3', params: PARAMS, mediaDurationSec: null });
    const second = await r.run({ type: 'transcribe', taskId: 'absent', mediaPath: '/m/c.mp3', params: PARAMS });
    expect(r.probes).toEqual(['/m/b.mp3', '/m/c.mp3']);
    expect(first[0]).toEqual({ type: 'started', taskId: 'null', durationSec: 7 });
    expect(second[0]).toEqual({ type: 'started', taskId: 'absent', durationSec: 7 });
  });

  it('builds words in the worker: live segments and the result carry them, then aligning is reported done', async () => {
    const messages = await rig().run({ type: 'transcribe', taskId: 'w', mediaPath: '/m/a.wav', params: { ...PARAMS, wordTimestamps: true } });
    const live = messages.flatMap((m) => (m.type === 'segment' ? [m.segment] : []));
    expect(live.map((s) => s.words?.map((w) => [w.word, w.start, w.end]))).toEqual([
      [[' Hello', 0, 1], [' there', 1, 2]],
      [[' good', 2, 3], [' bye', 3, 4]],
    ]);
    const end = messages.at(-1)!;
    expect(end.type === 'result' && end.result.segments).toEqual(live);
    expect(messages.filter((m) => m.type === 'stage')).toEqual([{ type: 'stage', taskId: 'w', stage: 'aligning', fraction: 1 }]);
  });

  it('sends segments without words and no aligning stage when word timestamps were not asked', async () => {
    const messages = await rig().run({ type: 'transcribe', taskId: 'p', mediaPath: '/m/a.wav', params: PARAMS });
    const end = messages.at(-1)!;
    expect(end.type).toBe('result');
    const segments = [...messages.flatMap((m) => (m.type === 'segment' ? [m.segment] : [])), ...(end.type === 'result' ? end.result.segments : [])];
    expect(segments).toHaveLength(4);
    expect(segments.some((s) => s.words)).toBe(false);
    expect(messages.some((m) => m.type === 'stage')).toBe(false);
  });
});
