import type { Config } from '../../config.ts';
import { AppError } from '../app-error.ts';

type UploadConfig = Pick<Config, 'MAX_UPLOAD_BYTES' | 'UPLOAD_MIN_BYTES_PER_SECOND' | 'UPLOAD_IDLE_TIMEOUT_MS' | 'MAX_CONCURRENT_UPLOADS'>;

/** Node's own request limit (300 s by default) would cut a large upload on a slow link. */
const NODE_DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
const RATE_GRACE_MS = 10_000;

/**
 * The whole-request time limit for the HTTP server: the largest upload at the slowest rate
 * allowed, plus a minute for the answer. The rate check below ends slower uploads much earlier.
 */
export function requestTimeoutMs(config: UploadConfig): number {
  const slowest = Math.ceil(config.MAX_UPLOAD_BYTES / config.UPLOAD_MIN_BYTES_PER_SECOND) * 1000 + 60_000;
  return Math.max(NODE_DEFAULT_REQUEST_TIMEOUT_MS, slowest);
}

/** Watches one body as it arrives; calls onStall once with the reason it is too slow. */
export interface UploadPace {
  /** Counts bytes that arrived. */
  add(bytes: number): void;
  stop(): void;
}

/**
 * Fails an upload that sends nothing for UPLOAD_IDLE_TIMEOUT_MS, or that (after that long, and at least 10 s) has
 * averaged less than UPLOAD_MIN_BYTES_PER_SECOND: a trickling client would otherwise hold a
 * socket and an upload folder for as long as the request limit allows.
 */
export function watchUploadPace(config: UploadConfig, onStall: (error: AppError) => void, clock: () => number = Date.now): UploadPace {
  const idleMs = config.UPLOAD_IDLE_TIMEOUT_MS;
  const startedAt = clock();
  let lastAt = startedAt;
  let total = 0;
  const timer = setInterval(() => {
    const now = clock();
    if (now - lastAt >= idleMs) {
      stop();
      return onStall(new AppError(408, 'UPLOAD_TIMEOUT', `The upload sent no data for ${Math.round(idleMs / 1000)} s and was stopped.`, { idle_timeout_ms: idleMs }));
    }
    const elapsed = (now - startedAt) / 1000;
    // The rate is judged over a long enough stretch that a slow start (TCP ramp-up) is not punished.
    if (now - startedAt >= Math.max(idleMs, RATE_GRACE_MS) && total / elapsed < config.UPLOAD_MIN_BYTES_PER_SECOND) {
      stop();
      onStall(new AppError(408, 'UPLOAD_TOO_SLOW', `The upload arrived at ${Math.round(total / elapsed)} bytes/s; the minimum is ${config.UPLOAD_MIN_BYTES_PER_SECOND} bytes/s.`, {
        min_bytes_per_second: config.UPLOAD_MIN_BYTES_PER_SECOND,
      }));
    }
  }, Math.max(50, Math.min(1000, Math.floor(idleMs / 4))));
  timer.unref();
  function stop() {
    clearInterval(timer);
  }
  return {
    add(bytes) {
      total += bytes;
      lastAt = clock();
    },
    stop,
  };
}

/** Counts uploads in progress for one app; beyond MAX_CONCURRENT_UPLOADS new ones get 503. */
export interface UploadSlots {
  /** Takes a slot or throws 503 TOO_MANY_UPLOADS; call the returned function when the body is read. */
  take(): () => void;
  inUse(): number;
}

/** Creates the counter. */
export function createUploadSlots(max: number): UploadSlots {
  let used = 0;
  return {
    take() {
      if (used >= max) {
        const busy = new AppError(503, 'TOO_MANY_UPLOADS', `The server is receiving ${max} uploads already. Try again in a few seconds.`, { max_concurrent_uploads: max });
        busy.headers = { 'Retry-After': '5' };
        throw busy;
      }
      used += 1;
      let released = false;
      return () => {
        if (!released) used -= 1;
        released = true;
      };
    },
    inUse: () => used,
  };
}
