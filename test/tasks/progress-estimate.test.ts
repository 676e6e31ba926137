import { describe, expect, it } from 'vitest';
import { createTranscribeEstimate } from '../../src/tasks/progress-estimate.ts';

/** A clock the test moves by hand (milliseconds). */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('createTranscribeEstimate', () => {
  it('moves a short file by the expected time of this server while the engine says nothing, never past 90 %', () => {
    const clock = manualClock();
    // Recent tasks ran at 0.5 s per media second: 20 s of media is expected to take 10 s.
    const e = createTranscribeEstimate({ clock: clock.now, expectedSeconds: (m) => (m === null ? null : m * 0.5), mediaSeconds: null });
    e.started(20);
    expect(e.fraction()).toBe(0);
    clock.advance(2_500);
    expect(e.fraction()).toBeCloseTo(0.25);
    expect(e.etaSeconds()).toBe(8);
    clock.advance(20_000);
    expect(e.fraction()).toBe(0.9);
    expect(e.etaSeconds()).toBeNull(); // slower than expected: no made-up figure
    e.engine(100);
    expect(e.fraction()).toBe(1);
  });

  it('uses the measured rate once the engine has reported, interpolating between reports', () => {
    const clock = manualClock();
    const e = createTranscribeEstimate({ clock: clock.now, expectedSeconds: () => 1000, mediaSeconds: 600 });
    clock.advance(10_000);
    e.engine(10); // 10 % in 10 s: 100 s for the whole
    expect(e.fraction()).toBeCloseTo(0.1);
    expect(e.etaSeconds()).toBe(90);
    clock.advance(5_000);
    expect(e.fraction()).toBeCloseTo(0.15);
    clock.advance(60_000);
    expect(e.fraction()).toBeCloseTo(0.2); // at most 10 points ahead of the last report
    e.segmentEnd(300); // segments count as measured progress too: half the media
    expect(e.fraction()).toBeGreaterThanOrEqual(0.5);
  });

  it('says nothing when neither speed nor length is known', () => {
    const e = createTranscribeEstimate({ clock: Date.now, expectedSeconds: () => null, mediaSeconds: null });
    expect(e.fraction()).toBe(0);
    expect(e.etaSeconds()).toBeNull();
  });
});
