import * as v from 'valibot';
import { PercentageSchema, StageSchema, TimestampSchema } from './status.ts';
import { ErrorJsonSchema } from './task-error.ts';
import { SegmentJsonSchema } from './transcript-json.ts';

// The frames of /ws/tasks/{task_id}: JSON text, each with a `type`. Names and shapes are the
// progress contract's; queue_position, eta_seconds, stage_progress and `segment` are additions.

/** `{"type":"progress",...}`: where a task stands. */
export const ProgressFrameSchema = v.object({
  type: v.literal('progress'), task_id: v.string(), stage: StageSchema,
  percentage: PercentageSchema, message: v.string(), timestamp: TimestampSchema,
  queue_position: v.optional(v.pipe(v.number(), v.description('While queued: 1-based place in the queue'))),
  eta_seconds: v.optional(v.pipe(v.number(), v.description('Estimated seconds until done'))),
  stage_progress: v.optional(v.pipe(PercentageSchema, v.description('While running: 0 to 100 within the current stage'))),
});
/** A progress frame. */
export type ProgressFrame = v.InferOutput<typeof ProgressFrameSchema>;

/** `{"type":"error",...}`: a task's final error, or a problem with the connection (INVALID_FRAME and the like). */
export const ErrorFrameSchema = v.object({ type: v.literal('error'), task_id: v.string(), ...ErrorJsonSchema.entries, timestamp: TimestampSchema });
/** An error frame. */
export type ErrorFrame = v.InferOutput<typeof ErrorFrameSchema>;

/** `{"type":"segment",...}`: one new transcript segment. */
export const SegmentFrameSchema = v.object({ type: v.literal('segment'), task_id: v.string(), segment: SegmentJsonSchema, timestamp: TimestampSchema });

/** `{"type":"heartbeat",...}`: keeps proxies from closing a quiet socket. */
export const HeartbeatFrameSchema = v.object({ type: v.literal('heartbeat'), timestamp: TimestampSchema });

/** `{"type":"pong"}`: the answer to a client's ping. */
export const PongFrameSchema = v.object({ type: v.literal('pong') });

/** Any frame the server sends. */
export const ServerFrameSchema = v.variant('type', [ProgressFrameSchema, ErrorFrameSchema, SegmentFrameSchema, HeartbeatFrameSchema, PongFrameSchema]);
/** Any frame the server sends. */
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;

/** Frames a client may send; only ping exists. */
export const ClientFrameSchema = v.object({ type: v.literal('ping') });
