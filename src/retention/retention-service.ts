import { sweepRetention, type RetentionSummary, type RetentionSweepDeps } from './retention-sweep.ts';

/** Periodic retention: one sweep at start, then one every interval, never two at once. */
export interface Retention {
  /** Runs a sweep now and schedules the next ones; a second call does nothing. */
  start(): void;
  /** One sweep now (or the one already running). */
  sweep(): Promise<RetentionSummary>;
  /** Cancels the timer and waits for a running sweep, so the database can then be closed. */
  stop(): Promise<void>;
}

/** Everything the retention loop needs. */
export interface RetentionDeps extends RetentionSweepDeps {
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Time between sweeps (default 15 minutes). */
  intervalMs?: number;
}

/** Creates the retention loop; nothing runs until start() or sweep(). */
export function createRetention(deps: RetentionDeps): Retention {
  const clock = deps.clock ?? Date.now;
  const intervalMs = deps.intervalMs ?? 15 * 60 * 1000;
  let running: Promise<RetentionSummary> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const sweep = (): Promise<RetentionSummary> => {
    running ??= sweepRetention(deps, clock())
      .then((summary) => {
        if (summary.mediaDeleted + summary.tasksDeleted + summary.orphansDeleted > 0) {
          deps.logger.info({ ...summary }, 'retention sweep removed expired data');
        }
        return summary;
      })
      .finally(() => (running = null));
    return running;
  };
  // A failed sweep is logged and the next one tries again: retention is housekeeping, never fatal.
  const sweepInBackground = () => {
    if (stopped) return;
    sweep().catch((error: unknown) => deps.logger.error({ err: error }, 'retention sweep failed'));
  };

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(sweepInBackground, intervalMs);
      timer.unref(); // housekeeping must never keep the process alive
      sweepInBackground();
    },
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined); // its failure was already logged by whoever started it
    },
  };
}
