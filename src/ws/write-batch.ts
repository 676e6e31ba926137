/** The part of a net.Socket that batches writes: while corked, writes wait and then leave together. */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/** Holds streams corked until the current turn of the event loop ends. */
export interface WriteBatch {
  /** Corks the stream for the rest of this turn (once, however often it is held). */
  hold(stream: CorkableStream): void;
}

/**
 * Frames sent to one socket in the same turn (several progress steps in a burst, a segment and
 * its progress) leave in one writev instead of one system call each: on loopback and small
 * frames the call, not the bytes, is what costs. Nothing waits past the turn, so latency is
 * unchanged; the order of frames on a socket is kept because the socket itself buffers them.
 */
export function createWriteBatch(): WriteBatch {
  const held = new Set<CorkableStream>();
  const release = () => {
    for (const stream of held) stream.uncork();
    held.clear();
  };
  return {
    hold(stream) {
      if (held.has(stream)) return;
      if (held.size === 0) process.nextTick(release);
      stream.cork();
      held.add(stream);
    },
  };
}
