import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { TaskSnapshot } from '../tasks/task-service-types.ts';
import type { ErrorFrame, ProgressFrame } from '../contract/frames.ts';
import { STAGES, type Stage } from '../contract/status.ts';
import { progressFrame, segmentFrame, snapshotFrame, taskErrorFrame } from './frames.ts';
import type { Registry } from './registry.ts';

/** What a watched task last told its sockets: the frame, where it stood, and whether it has ended. */
interface Sent {
  frame: ProgressFrame | ErrorFrame;
  rank: number;
  ended: boolean;
}

/** Forwards bus events to watching sockets and keeps what a newcomer must see first. */
export interface BusBridge {
  /** The frame a socket joining now gets: the newer of the stored snapshot and what watchers were sent. */
  joinFrame(taskId: string, snapshot: TaskSnapshot): ProgressFrame | ErrorFrame;
  /**
   * Announces a socket about to join (its snapshot is being read): until the returned release runs,
   * the task's events are kept as if someone watched, so nothing that happens during the read is lost.
   */
  expect(taskId: string): () => void;
  /** True when a frame is a task's last (complete, or its final error). */
  isFinal(frame: ProgressFrame | ErrorFrame): boolean;
  close(): void;
}

/** Close code after a task's final frame (normal closure). */
export const CLOSE_TASK_ENDED = 1000;

// Stage index and percentage folded into one number that must never go down for a task.
const rank = (stage: Stage, percentage: number) => STAGES.indexOf(stage) * 1000 + percentage;

function snapshotState(snapshot: TaskSnapshot): Sent {
  const frame = snapshotFrame(snapshot);
  if (frame.type === 'error') return { frame, rank: Number.MAX_SAFE_INTEGER, ended: true };
  return { frame, rank: rank(frame.stage, frame.percentage), ended: frame.stage === 'complete' };
}

/**
 * Subscribes the registry to task events. State is kept only for tasks someone watches, so
 * memory follows open sockets, and it guarantees what the contract promises each socket:
 * percentages never go down, stages never go back, and one final message.
 */
export function bridgeBusToRegistry(bus: EventBus<TaskEventMap>, registry: Registry): BusBridge {
  const sent = new Map<string, Sent>();
  const expecting = new Map<string, number>();
  const watched = (taskId: string) => registry.has(taskId) || expecting.has(taskId);
  const deliver = (taskId: string, next: Sent) => {
    sent.set(taskId, next);
    registry.broadcast(taskId, next.frame);
    // Nothing follows the final frame: close cleanly, so a client waiting for the close is released.
    if (next.ended) registry.closeAll(CLOSE_TASK_ENDED, 'task ended', taskId);
  };

  const unsubscribe = [
    registry.onEmpty((taskId) => sent.delete(taskId)),
    bus.on('task.progress', (event) => {
      if (!watched(event.taskId)) return;
      const last = sent.get(event.taskId);
      const next = { frame: progressFrame(event), rank: rank(event.stage, event.percentage), ended: event.stage === 'complete' };
      if (last && (last.ended || next.rank < last.rank)) return;
      deliver(event.taskId, next);
    }),
    bus.on('task.completed', ({ taskId, timestamp }) => {
      if (!watched(taskId) || sent.get(taskId)?.ended) return;
      const frame = progressFrame({ taskId, stage: 'complete', percentage: 100, message: 'Transcription complete.', timestamp });
      deliver(taskId, { frame, rank: rank('complete', 100), ended: true });
    }),
    bus.on('task.failed', ({ taskId, error, timestamp }) => {
      if (!watched(taskId) || sent.get(taskId)?.ended) return;
      deliver(taskId, { frame: taskErrorFrame(taskId, error, timestamp), rank: Number.MAX_SAFE_INTEGER, ended: true });
    }),
    bus.on('task.segment', ({ taskId, segment }) => {
      if (registry.has(taskId) && !sent.get(taskId)?.ended) registry.broadcast(taskId, segmentFrame(taskId, segment));
    }),
    bus.on('task.deleted', ({ taskId }) => {
      if (registry.has(taskId)) registry.closeAll(4404, 'task deleted', taskId);
    }),
  ];

  return {
    expect(taskId) {
      expecting.set(taskId, (expecting.get(taskId) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (expecting.get(taskId) ?? 1) - 1;
        if (left > 0) expecting.set(taskId, left);
        else expecting.delete(taskId);
        if (!watched(taskId)) sent.delete(taskId);
      };
    },
    joinFrame(taskId, snapshot) {
      const fromStore = snapshotState(snapshot);
      const last = sent.get(taskId);
      const current = last && (last.ended || last.rank >= fromStore.rank) ? last : fromStore;
      sent.set(taskId, current);
      return current.frame;
    },
    isFinal: (frame) => frame.type === 'error' || frame.stage === 'complete',
    close() {
      for (const off of unsubscribe) off();
      sent.clear();
      expecting.clear();
    },
  };
}
