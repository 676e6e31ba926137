import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProgressTracker, plannedStages, stagePercentage, stageProgressOf } from '../../src/tasks/progress.ts';
import { STAGES, type Stage } from '../../src/contract/status.ts';

const ALL = { wordTimestamps: true, diarize: true };
const NONE = { wordTimestamps: false, diarize: false };

describe('plannedStages', () => {
  it('skips aligning and diarizing unless asked for', () => {
    expect(plannedStages(NONE)).toEqual(['queued', 'transcribing', 'complete']);
    expect(plannedStages({ wordTimestamps: true, diarize: false })).toEqual(['queued', 'transcribing', 'aligning', 'complete']);
    expect(plannedStages(ALL)).toEqual([...STAGES]);
  });
});

describe('stagePercentage', () => {
  it('maps the engine 0..100 into 10..40 inside transcribing, clamped and whole', () => {
    expect([0, 0.5, 1].map((f) => stagePercentage('transcribing', f))).toEqual([10, 25, 40]);
    expect(stagePercentage('transcribing', 0.337)).toBe(20);
    expect(stagePercentage('transcribing', 7)).toBe(40);
    expect(stagePercentage('transcribing', Number.NaN)).toBe(10);
    expect([0, 1].map((f) => stagePercentage('diarizing', f))).toEqual([60, 80]);
  });
});

describe('createProgressTracker', () => {
  it('walks the anchors of every stage in order', () => {
    const t = createProgressTracker(ALL);
    const seen = [t.enter('transcribing'), t.advance('transcribing', 1), t.enter('aligning'), t.enter('diarizing'),
      t.advance('diarizing', 1), t.enter('complete')];
    expect(seen.map((p) => p && `${p.stage}:${p.percentage}`)).toEqual([
      'transcribing:10', 'transcribing:40', 'aligning:40', 'diarizing:60', 'diarizing:80', 'complete:100',
    ]);
  });

  it('skips stages the task did not ask for', () => {
    const t = createProgressTracker(NONE);
    t.enter('transcribing');
    expect(t.enter('aligning')).toBeNull();
    expect(t.advance('diarizing', 0.5)).toBeNull();
    expect(t.current()).toEqual({ stage: 'transcribing', percentage: 10, stageProgress: 0 });
    expect(t.enter('complete')).toEqual({ stage: 'complete', percentage: 100, stageProgress: 100 });
  });

  it('never goes back a stage or down in percentage, and reports no change as null', () => {
    const t = createProgressTracker(ALL);
    t.enter('transcribing');
    expect(t.advance('transcribing', 0.5)).toEqual({ stage: 'transcribing', percentage: 25, stageProgress: 50 });
    expect(t.advance('transcribing', 0.2)).toBeNull();
    expect(t.advance('transcribing', 0.5)).toBeNull();
    t.enter('diarizing');
    expect(t.enter('aligning')).toBeNull();
    expect(t.advance('transcribing', 1)).toBeNull();
    expect(t.enter('queued')).toBeNull();
    expect(t.current()).toEqual({ stage: 'diarizing', percentage: 60, stageProgress: 0 });
  });

  it('resumes from an earlier point without repeating lower percentages', () => {
    const t = createProgressTracker(NONE, { stage: 'transcribing', percentage: 25 });
    expect(t.enter('transcribing')).toBeNull();
    expect(t.advance('transcribing', 0.3)).toBeNull();
    expect(t.advance('transcribing', 0.6)).toEqual({ stage: 'transcribing', percentage: 28, stageProgress: 60 });
  });

  it('emits a non-decreasing sequence in stage order for any calls', () => {
    const call = fc.record({ stage: fc.constantFrom<Stage>(...STAGES), fraction: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -1, max: 2, noNaN: true })), enter: fc.boolean() });
    fc.assert(fc.property(fc.boolean(), fc.boolean(), fc.array(call, { maxLength: 40 }), (wordTimestamps, diarize, calls) => {
      const t = createProgressTracker({ wordTimestamps, diarize });
      const planned = plannedStages({ wordTimestamps, diarize });
      let last = t.current();
      for (const c of calls) {
        const p = c.enter ? t.enter(c.stage) : t.advance(c.stage, c.fraction);
        if (!p) continue;
        expect(planned).toContain(p.stage);
        expect(STAGES.indexOf(p.stage)).toBeGreaterThanOrEqual(STAGES.indexOf(last.stage));
        expect(p.percentage).toBeGreaterThanOrEqual(last.percentage);
        expect(Number.isInteger(p.percentage)).toBe(true);
        expect(p.stage !== last.stage || p.percentage > last.percentage || p.stageProgress > last.stageProgress).toBe(true);
        if (p.stage === last.stage) expect(p.stageProgress).toBeGreaterThanOrEqual(last.stageProgress);
        expect(p.stageProgress >= 0 && p.stageProgress <= 100 && Number.isInteger(p.stageProgress)).toBe(true);
        last = p;
      }
    }), { numRuns: 500 });
  });
});

describe('stage progress', () => {
  it('moves within a stage even when the overall percentage cannot (aligning has no span of its own)', () => {
    const t = createProgressTracker(ALL);
    t.enter('transcribing');
    expect(t.advance('transcribing', 0.01)).toEqual({ stage: 'transcribing', percentage: 10, stageProgress: 1 });
    t.enter('aligning');
    expect(t.advance('aligning', 0.5)).toEqual({ stage: 'aligning', percentage: 40, stageProgress: 50 });
    expect(stageProgressOf('diarizing', 70)).toBe(50);
    expect(stageProgressOf('aligning', 40)).toBe(0);
    expect(stageProgressOf('complete', 100)).toBe(100);
  });
});
