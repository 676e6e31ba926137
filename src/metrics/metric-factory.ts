import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** prom-client metric constructors bound to one registry. */
export interface MetricFactory {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /** `collect` runs at every scrape, before the gauge is read. */
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => void): Gauge<L>;
  histogram<L extends string = never>(name: string, help: string, buckets: readonly number[], labelNames?: readonly L[]): Histogram<L>;
}

/**
 * Every metric goes into `register`: prom-client's own default is its process-wide registry, which
 * the apps of one process (tests start many) must not share.
 */
export function metricsIn(register: Registry): MetricFactory {
  const registers = [register];
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers }),
    gauge: (name, help, labelNames, collect) => new Gauge({ name, help, labelNames, registers, collect() { collect(this); } }),
    histogram: (name, help, buckets, labelNames = []) => new Histogram({ name, help, labelNames, buckets: [...buckets], registers }),
  };
}

/** Observes only finite values: prom-client throws on NaN and Infinity, and a metric must never fail its caller. */
export function observeFinite(record: { observe(value: number): void }, value: number): void {
  if (Number.isFinite(value)) record.observe(value);
}
