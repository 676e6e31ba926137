/** Keeps the last lines a child wrote, so a crash report can say what the worker said before it died. */
export interface LineRing {
  push(chunk: string): void;
  /** The last `count` complete (or pending) lines, joined with newlines. */
  tail(count?: number): string;
}

/** Creates a bounded line buffer; long lines are cut so one runaway line cannot grow it. */
export function createLineRing(maxLines = 50, maxLineChars = 400): LineRing {
  const lines: string[] = [];
  let pending = '';

  const add = (line: string) => {
    const trimmed = line.replace(/\s+$/, '');
    if (trimmed === '') return;
    lines.push(trimmed.length > maxLineChars ? `${trimmed.slice(0, maxLineChars)}…` : trimmed);
    if (lines.length > maxLines) lines.shift();
  };

  return {
    push(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      // A child that never writes a newline must not grow `pending` without bound.
      if (pending.length > maxLineChars * 4) {
        add(pending);
        pending = '';
      }
      for (const part of parts) add(part);
    },
    tail(count = 10) {
      const all = pending.trim() === '' ? lines : [...lines, pending.trim()];
      return all.slice(-count).join('\n');
    },
  };
}
