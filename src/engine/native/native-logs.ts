import koffi from 'koffi';
import type { WhisperBindings } from './bindings.ts';
import { LOG_LEVEL, LogCallback } from './bindings-structs.ts';

/** Severity of a native log line. */
export type NativeLogLevel = 'warn' | 'error';

/** The process-wide whisper.cpp/ggml log hook, and the recent errors it kept. */
export interface NativeLogs {
  clear(): void;
  /** "; whisper.cpp said: …" with the recent warnings and errors, or "" (for failure details). */
  errorsSuffix(): string;
  /** Restores whisper.cpp's default logging and releases the callback. */
  close(): void;
}

const KEEP = 12;

/**
 * Routes whisper.cpp and ggml logs to `onLog` (warnings and errors only: the INFO lines of every
 * model load would flood stderr) and keeps the last few for error details. Lines may arrive in
 * pieces (GGML_LOG_LEVEL_CONT), so text is buffered until a newline.
 */
export function routeNativeLogs(api: WhisperBindings, onLog?: (level: NativeLogLevel, text: string) => void): NativeLogs {
  const recent: string[] = [];
  let current = LOG_LEVEL.NONE as number;
  let partial = '';
  const callback = koffi.register((level: number, text: string | null) => {
    if (level !== LOG_LEVEL.CONT) current = level;
    if (current < LOG_LEVEL.WARN) return;
    partial += text ?? '';
    const end = partial.lastIndexOf('\n');
    if (end < 0) return;
    const lines = partial.slice(0, end).split('\n').filter((l) => l.trim());
    partial = partial.slice(end + 1);
    for (const line of lines) {
      recent.push(line.trim());
      if (recent.length > KEEP) recent.shift();
      onLog?.(current >= LOG_LEVEL.ERROR ? 'error' : 'warn', line);
    }
  }, koffi.pointer(LogCallback));
  api.whisper_log_set(callback, null);
  return {
    clear: () => {
      recent.length = 0;
    },
    errorsSuffix: () => (recent.length ? `; whisper.cpp said: ${recent.join(' | ')}` : ''),
    close() {
      api.whisper_log_set(null, null);
      koffi.unregister(callback);
    },
  };
}
