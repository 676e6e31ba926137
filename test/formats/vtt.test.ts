import { describe, expect, it } from 'vitest';
import { escapeVtt, renderVtt } from '../../src/formats/vtt.ts';
import { segment, transcript, TWO_SEGMENTS } from './fixture.ts';

describe('renderVtt', () => {
  it('does start with the WEBVTT header and uses dots in timestamps', () => {
    expect(renderVtt(TWO_SEGMENTS())).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello world.\n\n00:00:02.500 --> 00:00:05.000\nSecond line here\n',
    );
  });

  it('does escape markup characters so that "-->" never appears in a cue', () => {
    const result = transcript([segment(0, 0, 1, ' a --> b & <i>c</i>')]);
    expect(renderVtt(result)).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na --&gt; b &amp; &lt;i&gt;c&lt;/i&gt;\n');
    expect(escapeVtt('-->')).not.toContain('-->');
  });

  it('does add a voice tag when segments carry speakers', () => {
    const result = transcript([segment(0, 4000, 4001.25, ' Yes.', { speaker: 'SPEAKER_00' })]);
    expect(renderVtt(result)).toBe('WEBVTT\n\n01:06:40.000 --> 01:06:41.250\n<v SPEAKER_00>Yes.\n');
  });

  it('does render an empty transcript as the header alone', () => {
    expect(renderVtt(transcript([]))).toBe('WEBVTT\n');
  });

  it('does re-flow one line per cue when asked', () => {
    const result = transcript([segment(0, 0, 3.5, ' The quick brown fox jumps over the lazy dog')]);
    expect(renderVtt(result, { maxLineChars: 16, maxLinesPerCue: 1 })).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.300\nThe quick brown\n\n00:00:01.300 --> 00:00:02.500\nfox jumps over\n\n' +
        '00:00:02.500 --> 00:00:03.500\nthe lazy dog\n',
    );
  });
});
