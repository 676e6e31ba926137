import * as v from 'valibot';

/** Lifecycle statuses of a task row. */
export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;

/** A task's lifecycle status. */
export const TaskStatusSchema = v.picklist(TASK_STATUSES);
/** A task's lifecycle status. */
export type TaskStatus = v.InferOutput<typeof TaskStatusSchema>;

/** Progress stages of the contract, in their only allowed order. */
export const STAGES = ['queued', 'transcribing', 'aligning', 'diarizing', 'complete'] as const;

/** A progress stage (`uploading` belongs to clients and never comes from the server). */
export const StageSchema = v.picklist(STAGES);
/** A progress stage. */
export type Stage = v.InferOutput<typeof StageSchema>;

/** The stages a worker moves through after transcription: word assembly, then speaker labelling. */
export const WorkerStageSchema = v.picklist(['aligning', 'diarizing']);
/** A stage a worker reports after transcription. */
export type WorkerStage = v.InferOutput<typeof WorkerStageSchema>;

/** A percentage of the contract: a whole number from 0 to 100. */
export const PercentageSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));

/** A point in time as the contract writes it. */
export const TimestampSchema = v.pipe(v.string(), v.isoTimestamp(), v.description('ISO 8601 time, UTC'));
