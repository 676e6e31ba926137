import type { TaskRecord, NewTask, TaskQuery } from './task-record.ts';
import type { ProgressEvent } from './task-events.ts';
import type { TaskError } from './errors.ts';
import type { Segment, TaskStatus } from './types.ts';

/** What polling needs of a task: a narrow read that skips the columns only the full view shows. */
export type TaskProgress = Pick<TaskRecord, 'id' | 'status' | 'stage' | 'percentage' | 'error' | 'owner'>;

/** Persistence the task layer needs; implemented over Kysely/SQLite in src/db. Synchronous: better-sqlite3 is. */
export interface TaskStore {
  insert(task: NewTask & { id: string; createdAt: string }): TaskRecord;
  get(id: string): TaskRecord | undefined;
  /** The polled fields only (optional: get() serves when absent). */
  progress?(id: string): TaskProgress | undefined;
  list(query: TaskQuery): { items: TaskRecord[]; total: number };
  update(id: string, patch: Partial<Omit<TaskRecord, 'id' | 'params' | 'createdAt'>>): void;
  /** Saves segments as they arrive, so a task that fails late still shows what was transcribed. */
  appendSegments(id: string, segments: Segment[]): void;
  partialSegments(id: string): Segment[];
  /** Drops saved segments: a new attempt starts over, and a stored result supersedes them. */
  clearSegments(id: string): void;
  remove(id: string): boolean;
  /** Ids in status, oldest first (FIFO order). */
  idsByStatus(status: TaskStatus): string[];
  countByStatus(): Record<TaskStatus, number>;
}

/** The last message a client should see for a task: its current progress, or its final error. */
export type TaskSnapshot =
  | { kind: 'progress'; event: ProgressEvent }
  | { kind: 'error'; taskId: string; error: TaskError; timestamp: string };

/** The task lifecycle API that http/ and ws/ use. */
export interface TaskService {
  submit(task: NewTask): TaskRecord;
  get(id: string): TaskRecord | undefined;
  /** The polled fields only, read cheaply (optional: the HTTP layer falls back to get()). */
  progress?(id: string): TaskProgress | undefined;
  list(query: TaskQuery): { items: TaskRecord[]; total: number };
  /** Cancels a queued task at once, or asks the running worker to stop; undefined when unknown. */
  cancel(id: string): Promise<TaskRecord | undefined>;
  /** Cancels if running, then removes the row and its files; false when unknown. */
  remove(id: string): Promise<boolean>;
  /** The current state as one contract message, for late joiners and polling. */
  snapshot(id: string): TaskSnapshot | undefined;
  /** The latest progress step of an active task, from memory: stage progress and ETA between store writes (optional). */
  liveProgress?(id: string): ProgressEvent | undefined;
  /** Segments saved so far for a running task (optional: the HTTP layer shows them when present). */
  partialSegments?(id: string): Segment[];
  /** 1-based position among queued tasks, and an ETA in seconds from recent measured speed. */
  queueInfo(id: string): { position: number; etaSeconds: number | null } | undefined;
  /** Re-queues tasks a dead process left `processing`, then starts dispatching. */
  start(): void;
  /** Stops dispatching; waits up to graceMs for running tasks, leaving the rest to be re-queued next start. */
  stop(graceMs: number): Promise<void>;
}
