import { describe, expect, it } from 'vitest';
import { formatTimestamp, toMillis } from '../../src/formats/timestamp.ts';

describe('formatTimestamp', () => {
  it('does format zero with both separators', () => {
    expect(formatTimestamp(0, ',')).toBe('00:00:00,000');
    expect(formatTimestamp(0, '.')).toBe('00:00:00.000');
  });
  it('does carry hours, minutes and seconds', () => {
    expect(formatTimestamp(3661.5, ',')).toBe('01:01:01,500');
    expect(formatTimestamp(7322.042, '.')).toBe('02:02:02.042');
  });
  it('does round 59.9995 s up into the next minute', () => {
    expect(formatTimestamp(59.9995, ',')).toBe('00:01:00,000');
    expect(formatTimestamp(3599.9995, '.')).toBe('01:00:00.000');
  });
  it('does let hours grow past two digits', () => {
    expect(formatTimestamp(100 * 3600 + 0.25, ',')).toBe('100:00:00,250');
  });
  it('does treat negative and non-finite times as zero', () => {
    expect(formatTimestamp(-3, ',')).toBe('00:00:00,000');
    expect(toMillis(Number.NaN)).toBe(0);
    expect(toMillis(Number.POSITIVE_INFINITY)).toBe(0);
  });
});
