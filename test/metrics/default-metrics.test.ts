import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectReleasableDefaults } from '../../src/metrics/default-metrics.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('collectReleasableDefaults', () => {
  it('registers prom-client default metrics in the given registry and catches the monitor and observer they start', async () => {
    const registry = new Registry();
    const defaults = collectReleasableDefaults(registry);
    try {
      // If prom-client ever starts them another way, nothing is caught and close() would release nothing.
      expect(defaults.started).toEqual({ monitors: 1, observers: 1 });
      const names = registry.getMetricsAsArray().map((metric) => metric.name);
      expect(names).toEqual(expect.arrayContaining(['nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes']));
    } finally {
      defaults.close();
    }
  });

  it('stops the event-loop delay monitor and disconnects the GC observer on close, once', () => {
    // The monitor's class is not exported: reach its prototype through one instance.
    const monitorProto = Object.getPrototypeOf(monitorEventLoopDelay()) as { disable(): boolean };
    const disable = vi.spyOn(monitorProto, 'disable');
    const disconnect = vi.spyOn(PerformanceObserver.prototype, 'disconnect');
    const defaults = collectReleasableDefaults(new Registry());
    expect(disable).not.toHaveBeenCalled();
    expect(disconnect).not.toHaveBeenCalled();
    defaults.close();
    defaults.close();
    expect(disable).toHaveBeenCalledTimes(1);
    expect(disconnect).toHaveBeenCalledTimes(1);
  });

  it('leaves perf_hooks as it found it', async () => {
    const hooks = await import('node:perf_hooks');
    const before = [hooks.default.monitorEventLoopDelay, hooks.default.PerformanceObserver];
    collectReleasableDefaults(new Registry()).close();
    expect([hooks.default.monitorEventLoopDelay, hooks.default.PerformanceObserver]).toEqual(before);
  });
});
