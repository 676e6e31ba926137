import koffi from 'koffi';
import type { TypeObject } from 'koffi';
import type { NativeAbortFlag } from './abort-flag.ts';
import { AbortCallback, EncoderBeginCallback, NewSegmentCallback, ProgressCallback } from './bindings-structs.ts';
import type { Ptr } from './native-types.ts';

/** What one whisper_full run needs to hear from whisper.cpp. */
export interface RunListeners {
  /** New segments exist (read them with whisper_full_n_segments; the count passed is unreliable with DTW). */
  onNewSegments(): void;
  /** whisper.cpp's progress for this call (it can exceed 100 on the last window). */
  onProgress(percent: number): void;
  /** True stops the computation at the next encoder or decoder pass. */
  shouldAbort(): boolean;
}

/** The registered callback pointers for whisper_full_params, and their release. */
export interface RegisteredCallbacks {
  newSegment: Ptr;
  progress: Ptr;
  encoderBegin: Ptr;
  abort: Ptr;
  /** User data of the abort and encoder-begin callbacks (the native flag), or null. */
  userData: Ptr | null;
  /** The first error a listener threw (callbacks must never throw into native code). */
  error(): unknown;
  unregister(): void;
}

// How often the JS thread copies shouldAbort() into the native flag while a run lasts.
const ABORT_POLL_MS = 20;

/**
 * Registers the whisper_full callbacks for one transcription; a listener that throws records the
 * error and aborts the run instead of unwinding through C frames. With a native flag, the abort and
 * encoder-begin checks (one per encoder or decoder pass) read it in C, and the JS thread sets it from
 * a timer and from the other callbacks: no pass waits on the JS thread. Without one, they are JS calls.
 */
export function registerRunCallbacks(listeners: RunListeners, native: NativeAbortFlag | null = null): RegisteredCallbacks {
  let failure: unknown = null;
  const guard = (fn: () => void) => {
    if (failure !== null) return;
    try {
      fn();
    } catch (err) {
      failure = err ?? new Error('callback failed');
    }
  };
  const aborted = () => {
    if (failure !== null) return true;
    try {
      return listeners.shouldAbort();
    } catch (err) {
      failure = err ?? new Error('abort check failed');
      return true;
    }
  };
  const pointers: Ptr[] = [];
  const register = (fn: (...args: never[]) => unknown, type: TypeObject): Ptr => {
    const ptr = koffi.register(fn, koffi.pointer(type));
    pointers.push(ptr);
    return ptr;
  };
  native?.clear();
  const sync = () => {
    if (native && aborted()) native.set();
  };
  const poll = native ? setInterval(sync, ABORT_POLL_MS) : null;
  return {
    newSegment: register(() => { guard(listeners.onNewSegments); sync(); }, NewSegmentCallback),
    progress: register((_ctx: unknown, _state: unknown, percent: number) => { guard(() => listeners.onProgress(percent)); sync(); }, ProgressCallback),
    // Returning false from encoder_begin stops before a 30 s window is encoded.
    encoderBegin: native ? native.encoderBegin : register(() => !aborted(), EncoderBeginCallback),
    abort: native ? native.abort : register(() => aborted(), AbortCallback),
    userData: native?.flag ?? null,
    error: () => failure,
    unregister() {
      if (poll) clearInterval(poll);
      for (const ptr of pointers.splice(0)) koffi.unregister(ptr);
    },
  };
}
