import { createRequire } from 'node:module';
import type { IntervalHistogram, PerformanceObserver as NodePerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, type Registry } from 'prom-client';

/** The two perf_hooks entry points prom-client's default metrics start timers and observers with. */
interface PerfHooks {
  monitorEventLoopDelay: (options?: { resolution?: number }) => IntervalHistogram;
  PerformanceObserver: typeof NodePerformanceObserver;
}

// The CommonJS module object prom-client itself requires (an ESM namespace import could not be patched).
const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as PerfHooks;

/** What collectDefaultMetrics started, and how to stop it. */
export interface DefaultMetrics {
  /** Event-loop delay monitors and GC observers started for this registry (one of each today). */
  readonly started: { monitors: number; observers: number };
  /** Stops the event-loop delay monitor and disconnects the GC observer; safe to call twice. */
  close(): void;
}

/**
 * prom-client's default metrics (process CPU and memory, heap, handles, event-loop lag, GC) into one
 * registry. prom-client keeps no handle on the event-loop delay monitor and the GC observer it
 * starts, and they would outlive the app (tests start many apps in one process), so the two
 * constructors are wrapped for the duration of the synchronous call to catch what it starts.
 */
export function collectReleasableDefaults(register: Registry): DefaultMetrics {
  const monitors: IntervalHistogram[] = [];
  const observers: NodePerformanceObserver[] = [];
  const { monitorEventLoopDelay, PerformanceObserver } = perfHooks;
  perfHooks.monitorEventLoopDelay = (options) => {
    const monitor = monitorEventLoopDelay(options);
    monitors.push(monitor);
    return monitor;
  };
  perfHooks.PerformanceObserver = class extends PerformanceObserver {
    constructor(callback: ConstructorParameters<typeof NodePerformanceObserver>[0]) {
      super(callback);
      observers.push(this);
    }
  };
  try {
    collectDefaultMetrics({ register });
  } finally {
    perfHooks.monitorEventLoopDelay = monitorEventLoopDelay;
    perfHooks.PerformanceObserver = PerformanceObserver;
  }
  return {
    started: { monitors: monitors.length, observers: observers.length },
    close() {
      for (const monitor of monitors.splice(0)) monitor.disable();
      for (const observer of observers.splice(0)) observer.disconnect();
    },
  };
}
