/** A typed publish/subscribe bus: the payload map gives each event name its payload type. */
export interface EventBus<M extends Record<string, unknown>> {
  on<K extends keyof M>(name: K, listener: (payload: M[K]) => void): () => void;
  emit<K extends keyof M>(name: K, payload: M[K]): void;
  listenerCount(name: keyof M): number;
}

/** Creates a bus; a listener that throws is reported to onListenerError and never stops the others. */
export function createEventBus<M extends Record<string, unknown>>(
  onListenerError: (error: unknown, name: keyof M) => void = (error) => console.error(error),
): EventBus<M> {
  const listeners = new Map<keyof M, Set<(payload: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
        if (set.size === 0) listeners.delete(name);
      };
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (error) {
          onListenerError(error, name);
        }
      }
    },
    listenerCount(name) {
      return listeners.get(name)?.size ?? 0;
    },
  };
}
