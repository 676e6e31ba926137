import koffi from 'koffi';
import type { TypeObject } from 'koffi';
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
  /** The first error a listener threw (callbacks must never throw into native code). */
  error(): unknown;
  unregister(): void;
}

/**
 * Registers the four whisper_full callbacks for one transcription. whisper.cpp v1.9.1 calls the
 * abort callback once per encoder or decoder pass (not per graph node), so a JS function is cheap
 * enough; a listener that throws records the error and aborts the run instead of unwinding
 * through C frames.
 */
export function registerRunCallbacks(listeners: RunListeners): RegisteredCallbacks {
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
  return {
    newSegment: register(() => guard(listeners.onNewSegments), NewSegmentCallback),
    progress: register((_ctx: unknown, _state: unknown, percent: number) => guard(() => listeners.onProgress(percent)), ProgressCallback),
    // Returning false from encoder_begin stops before a 30 s window is encoded.
    encoderBegin: register(() => !aborted(), EncoderBeginCallback),
    abort: register(() => aborted(), AbortCallback),
    error: () => failure,
    unregister() {
      for (const ptr of pointers.splice(0)) koffi.unregister(ptr);
    },
  };
}
