import type { TaskRecord, NewTask, TaskQuery } from './task-record.ts';
import type { ProgressEvent } from './task-events.ts';
import type { TaskError } from '../contract/task-error.ts';
import type { TaskStatus } from '../contract/status.ts';
import type { Segment } from '../contract/transcript.ts';

/** What polling needs of a task: a narrow read that skips the columns only the full view shows. */
export type TaskProgress = Pick<TaskRecord, 'id' | 'status' | 'stage' | 'percentage' | 'error' | 'owner'>;

/**
 * Persistence the task layer needs; implemented over Kysely in src/db, on SQLite or PostgreSQL.
 * Writes to one task take effect in call order, so callers may fire them without waiting.
 */
export interface TaskStore {
  insert(task: NewTask & { id: string; createdAt: string }): Promise<TaskRecord>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** The polled fields only, read cheaply. */
  progress(id: string): Promise<TaskProgress | undefined>;
  list(query: TaskQuery): Promise<{ items: TaskRecord[]; total: number }>;
  update(id: string, patch: Partial<Omit<TaskRecord, 'id' | 'params' | 'createdAt'>>): Promise<void>;
  /** Saves segments as they arrive, so a task that fails late still shows what was transcribed. */
  appendSegments(id: string, segments: Segment[]): Promise<void>;
  partialSegments(id: string): Promise<Segment[]>;
  /** Drops saved segments: a new attempt starts over, and a stored result supersedes them. */
  clearSegments(id: string): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** Ids in status, oldest first (FIFO order). */
  idsByStatus(status: TaskStatus): Promise<string[]>;
  countByStatus(): Promise<Record<TaskStatus, number>>;
  /**
   * Runs a write made outside the store (the webhook outbox's transaction) in the task's write order,
   * with the updated_at stamp the store would use; cached reads of the task are dropped after it.
   */
  write?<T>(id: string, write: (now: string) => Promise<T>): Promise<T>;
}

/** The last message a client should see for a task: its current progress, or its final error. */
export type TaskSnapshot =
  | { kind: 'progress'; event: ProgressEvent }
  | { kind: 'error'; taskId: string; error: TaskError; timestamp: string };

/** The task lifecycle API that http/ and ws/ use. */
export interface TaskService {
  submit(task: NewTask): Promise<TaskRecord>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** The polled fields only, read cheaply. */
  progress(id: string): Promise<TaskProgress | undefined>;
  list(query: TaskQuery): Promise<{ items: TaskRecord[]; total: number }>;
  /** Cancels a queued task at once, or asks the running worker to stop; undefined when unknown. */
  cancel(id: string): Promise<TaskRecord | undefined>;
  /** Cancels if running, then removes the row and its files; false when unknown. */
  remove(id: string): Promise<boolean>;
  /** The current state as one contract message, for late joiners and polling. */
  snapshot(id: string): Promise<TaskSnapshot | undefined>;
  /** The latest progress step of an active task, from memory: stage progress and ETA between store writes (optional). */
  liveProgress?(id: string): ProgressEvent | undefined;
  /** Segments saved so far for a running task (optional: the HTTP layer shows them when present). */
  partialSegments?(id: string): Promise<Segment[]>;
  /** 1-based position among queued tasks, and an ETA in seconds from recent measured speed. */
  queueInfo(id: string): Promise<{ position: number; etaSeconds: number | null } | undefined>;
  /** Re-queues tasks a dead process left `processing`, then starts dispatching. */
  start(): Promise<void>;
  /** Stops dispatching; waits up to graceMs for running tasks, leaving the rest to be re-queued next start. */
  stop(graceMs: number): Promise<void>;
}
