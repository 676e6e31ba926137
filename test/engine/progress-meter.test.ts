import { describe, expect, it } from 'vitest';
import { createProgressMeter } from '../../src/engine/worker/progress-meter.ts';

describe('createProgressMeter', () => {
  it('weighs chunks by duration and ends at 100', () => {
    const seen: number[] = [];
    const meter = createProgressMeter(100, (p) => seen.push(p));
    meter.beginChunk(0, 60);
    meter.update(50);
    meter.endChunk();
    meter.beginChunk(60, 40);
    meter.update(50);
    meter.update(203); // whisper.cpp overshoots on its last window
    meter.finish();
    expect(seen).toEqual([0, 30, 60, 80, 99, 100]);
  });

  it('never goes down, even when the duration hint is missing', () => {
    const seen: number[] = [];
    const meter = createProgressMeter(0, (p) => seen.push(p));
    meter.beginChunk(0, 10);
    meter.update(100);
    meter.beginChunk(10, 10);
    meter.update(10);
    meter.finish();
    expect(seen.every((p, i) => i === 0 || p > seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(100);
  });
});
