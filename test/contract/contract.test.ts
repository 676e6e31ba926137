import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ServerFrameSchema } from '../../src/contract/frames.ts';
import { ProgressSchema } from '../../src/contract/task-json.ts';
import { ChildMessageSchema, ParentMessageSchema, parseMessage } from '../../src/engine/protocol.ts';
import { progressJson } from '../../src/http/tasks/task-json.ts';
import { taskError } from '../../src/tasks/errors.ts';
import { ServerFrameSchema as PageFrameSchema, PollSchema } from '../../src/web/messages.ts';
import { heartbeatFrame, progressFrame, segmentFrame, taskErrorFrame } from '../../src/ws/frames.ts';

const T = '2026-01-02T03:04:05.000Z';
const segment = { id: 0, start: 0.1234, end: 1.5, text: ' hi', noSpeechProb: 0.01, avgLogprob: -0.2, tokens: [], words: [{ word: ' hi', start: 0.1234, end: 1.5, probability: 0.9 }] };

describe('contract', () => {
  it('frames the socket sends parse with the contract and keep the field order of the progress contract', () => {
    const progress = progressFrame({ taskId: 't1', stage: 'transcribing', percentage: 42, message: 'Transcribing', timestamp: T, etaSeconds: 12, stageProgress: 53 });
    const error = taskErrorFrame('t1', taskError('NO_AUDIO', 'ffprobe: /data/uploads/0123456789abcdef/media.wav has no audio'), T);
    for (const frame of [progress, error, segmentFrame('t1', segment, T), heartbeatFrame()]) {
      expect(v.safeParse(ServerFrameSchema, frame).success, JSON.stringify(frame)).toBe(true);
    }
    expect(JSON.stringify(progress)).toBe(
      `{"type":"progress","task_id":"t1","stage":"transcribing","percentage":42,"message":"Transcribing","timestamp":"${T}","eta_seconds":12,"stage_progress":53}`,
    );
    expect(Object.keys(error)).toEqual(['type', 'task_id', 'error_code', 'user_message', 'technical_detail', 'timestamp']);
    expect(error.technical_detail).not.toContain('/data/uploads'); // the contract's errorJson hides server paths
  });

  it('the polling body parses with the contract, in its field order, with the error in its contract form', () => {
    const body = progressJson({ id: 't1', status: 'failed', percentage: 10, stage: 'transcribing', error: taskError('WORKER_CRASHED', 'signal SIGSEGV') });
    expect(v.safeParse(ProgressSchema, body).success).toBe(true);
    expect(Object.keys(body)).toEqual(['identifier', 'status', 'progress_percentage', 'progress_stage', 'error']);
    expect(body.error).toEqual({ error_code: 'WORKER_CRASHED', user_message: taskError('WORKER_CRASHED', '').userMessage, technical_detail: 'signal SIGSEGV' });
    expect(v.safeParse(ProgressSchema, { ...body, progress_percentage: 101 }).success).toBe(false);
  });

  it('the engine protocol takes the contract params without the model, and checks segments on receipt', () => {
    const params = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0, model: 'small' };
    const parsed = parseMessage(ParentMessageSchema, { type: 'transcribe', taskId: 't1', mediaPath: '/m.wav', params });
    expect(parsed.ok && parsed.message.type === 'transcribe' && parsed.message.params).toEqual({ ...params, model: undefined });
    expect(parsed.ok && parsed.message.type === 'transcribe' && 'model' in parsed.message.params).toBe(false);
    const bad = parseMessage(ChildMessageSchema, { type: 'segment', taskId: 't1', segment: { ...segment, tokens: [{ id: 1, text: 'x', p: 1, t0: 0, t1: 1, tDtw: -1, special: false, bytes: 'zz' }] } });
    expect(bad).toMatchObject({ ok: false, detail: expect.stringContaining('segment.tokens.0.bytes') });
  });

  it('the page reads the server frames and tolerates extras left out or added', () => {
    const frame = progressFrame({ taskId: 't1', stage: 'queued', percentage: 0, message: 'Queued', timestamp: T, queuePosition: 3 });
    expect(v.safeParse(PageFrameSchema, { ...frame, added_later: true }).success).toBe(true);
    expect(v.safeParse(PageFrameSchema, { type: 'progress', task_id: 't1', stage: 'queued', percentage: 0 }).success).toBe(true);
    expect(v.safeParse(PageFrameSchema, { type: 'progress', task_id: 't1', stage: 'queued', percentage: '0' }).success).toBe(false);
    expect(v.safeParse(PollSchema, { identifier: 't1', status: 'queued', progress_percentage: 0, progress_stage: 'queued', error: null }).success).toBe(true);
  });
});
