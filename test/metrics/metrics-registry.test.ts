import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../src/metrics/metrics-registry.ts';

describe('createMetricsRegistry', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const r = createMetricsRegistry();
    const c = r.counter('app_events_total', 'Events\nseen.');
    c.inc({ kind: 'a' });
    c.inc({ kind: 'a' }, 2);
    c.inc({ kind: 'b' });
    c.inc({ kind: 'b' }, -5); // a counter never goes down
    let depth = 4;
    r.gauge('app_depth', 'Depth.', () => [{ value: depth }]);
    const g = r.gauge('app_level', 'Level.');
    g.set({ side: 'left' }, 1.5);
    expect(r.render()).toBe([
      '# HELP app_events_total Events\\nseen.',
      '# TYPE app_events_total counter',
      'app_events_total{kind="a"} 3',
      'app_events_total{kind="b"} 1',
      '# HELP app_depth Depth.',
      '# TYPE app_depth gauge',
      'app_depth 4',
      '# HELP app_level Level.',
      '# TYPE app_level gauge',
      'app_level{side="left"} 1.5',
      '',
    ].join('\n'));
    depth = 7;
    expect(r.render()).toContain('app_depth 7');
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const r = createMetricsRegistry();
    const h = r.histogram('app_seconds', 'Time.', [1, 0.1, 10]);
    for (const v of [0.05, 0.5, 0.5, 5, 50, Number.NaN]) h.observe({ route: '/x' }, v);
    const text = r.render();
    expect(text).toContain('app_seconds_bucket{route="/x",le="0.1"} 1\n');
    expect(text).toContain('app_seconds_bucket{route="/x",le="1"} 3\n');
    expect(text).toContain('app_seconds_bucket{route="/x",le="10"} 4\n');
    expect(text).toContain('app_seconds_bucket{route="/x",le="+Inf"} 5\n');
    expect(text).toContain('app_seconds_sum{route="/x"} 56.05\n');
    expect(text).toContain('app_seconds_count{route="/x"} 5\n');
  });

  it('records through a series handle exactly as observe() does, within the series cap', () => {
    const r = createMetricsRegistry();
    const h = r.histogram('app_seconds', 'Time.', [1, 0.1, 10]);
    const record = h.series({ route: '/x', method: 'GET' })!;
    for (const v of [0.05, 0.5, 5, 50, Number.NaN]) record(v);
    h.observe({ method: 'GET', route: '/x' }, 0.5); // same series, labels in another order
    const text = r.render();
    expect(text).toContain('app_seconds_bucket{route="/x",method="GET",le="0.1"} 1\n');
    expect(text).toContain('app_seconds_bucket{route="/x",method="GET",le="1"} 3\n');
    expect(text).toContain('app_seconds_bucket{route="/x",method="GET",le="+Inf"} 5\n');
    expect(text).toContain('app_seconds_count{route="/x",method="GET"} 5\n');
    for (let i = 0; i < 600; i++) h.observe({ route: String(i) }, 1);
    expect(h.series({ route: 'one-too-many' })).toBeUndefined();
  });

  it('escapes label values and caps the number of series', () => {
    const r = createMetricsRegistry();
    const c = r.counter('app_total', 'x');
    c.inc({ v: 'a"b\\c\nd' });
    expect(r.render()).toContain('app_total{v="a\\"b\\\\c\\nd"} 1');
    for (let i = 0; i < 2000; i++) c.inc({ v: String(i) });
    expect(r.render().split('\n').filter((l) => l.startsWith('app_total{')).length).toBe(500);
  });

  it('refuses bad and duplicate names', () => {
    const r = createMetricsRegistry();
    r.counter('ok_total', 'x');
    expect(() => r.counter('ok_total', 'x')).toThrow(/twice/);
    expect(() => r.gauge('bad-name', 'x')).toThrow(/bad metric name/);
  });
});
