/** Label names to values for one series. */
export type Labels = Record<string, string>;

/** A value that only goes up. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

/** A value set from outside, or read at scrape time through `collect`. */
export interface Gauge {
  set(labels: Labels, value: number): void;
}

/** Observations counted into cumulative buckets, with their sum and count. */
export interface Histogram {
  observe(labels: Labels, value: number): void;
  /**
   * One series as a function, for hot paths that observe the same labels again and again (the
   * labels are looked up once); undefined once the metric holds as many series as it may.
   */
  series(labels: Labels): ((value: number) => void) | undefined;
}

/** Metrics by name, rendered in the Prometheus text exposition format (version 0.0.4). */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  /** `collect` runs at every render and replaces the gauge's series with what it returns. */
  gauge(name: string, help: string, collect?: () => Array<{ labels?: Labels; value: number }>): Gauge;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  render(): string;
}

/** Series one metric may hold; past it new label sets are dropped, so hostile input cannot grow memory. */
const MAX_SERIES = 500;

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};
const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const num = (value: number) => (Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value));

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

/** Creates an empty registry; each app (and each test) has its own. */
export function createMetricsRegistry(): MetricsRegistry {
  const metrics: Metric[] = [];
  const add = (metric: Metric) => {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) throw new Error(`bad metric name ${metric.name}`);
    if (metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    metrics.push(metric);
  };
  const seriesMap = <T>() => {
    const map = new Map<string, { labels: Labels; value: T }>();
    return {
      map,
      get(labels: Labels, init: () => T): T | undefined {
        const key = keyOf(labels);
        const found = map.get(key);
        if (found) return found.value;
        if (map.size >= MAX_SERIES) return undefined;
        const value = init();
        map.set(key, { labels: { ...labels }, value });
        return value;
      },
    };
  };

  return {
    counter(name, help) {
      const series = seriesMap<{ v: number }>();
      add({ name, help, type: 'counter', lines: () => [...series.map.values()].map((s) => `${name}${labelText(s.labels)} ${num(s.value.v)}`) });
      return {
        inc(labels = {}, by = 1) {
          if (!(by >= 0)) return; // a counter never goes down
          const cell = series.get(labels, () => ({ v: 0 }));
          if (cell) cell.v += by;
        },
      };
    },
    gauge(name, help, collect) {
      const series = seriesMap<{ v: number }>();
      const lines = () => {
        if (collect) {
          series.map.clear();
          for (const { labels = {}, value } of collect()) series.get(labels, () => ({ v: value }));
        }
        return [...series.map.values()].map((s) => `${name}${labelText(s.labels)} ${num(s.value.v)}`);
      };
      add({ name, help, type: 'gauge', lines });
      return {
        set(labels, value) {
          const cell = series.get(labels, () => ({ v: value }));
          if (cell) cell.v = value;
        },
      };
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = seriesMap<{ counts: number[]; sum: number; count: number }>();
      const lines = () => [...series.map.values()].flatMap(({ labels, value }) => [
        ...bounds.map((le, i) => `${name}_bucket${labelText({ ...labels, le: num(le) })} ${value.counts[i]}`),
        `${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`,
        `${name}_sum${labelText(labels)} ${num(value.sum)}`,
        `${name}_count${labelText(labels)} ${value.count}`,
      ]);
      add({ name, help, type: 'histogram', lines });
      const cellOf = (labels: Labels) => series.get(labels, () => ({ counts: bounds.map(() => 0), sum: 0, count: 0 }));
      const record = (cell: { counts: number[]; sum: number; count: number }, value: number) => {
        if (!Number.isFinite(value)) return;
        // Buckets are cumulative: an observation counts in every bucket whose bound it does not exceed.
        for (let i = bounds.length - 1; i >= 0 && value <= bounds[i]!; i--) cell.counts[i]! += 1;
        cell.sum += value;
        cell.count += 1;
      };
      return {
        observe(labels, value) {
          if (!Number.isFinite(value)) return;
          const cell = cellOf(labels);
          if (cell) record(cell, value);
        },
        series(labels) {
          const cell = cellOf(labels);
          return cell && ((value: number) => record(cell, value));
        },
      };
    },
    render() {
      return metrics.map((m) => [`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.lines()].join('\n')).join('\n') + '\n';
    },
  };
}
