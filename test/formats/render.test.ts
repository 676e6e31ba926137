import { describe, expect, it } from 'vitest';
import { attachmentDisposition, downloadFileName } from '../../src/formats/download-name.ts';
import { contentTypeFor, isResultFormat, RESULT_FORMATS, renderTranscript } from '../../src/formats/render.ts';
import { renderSrt } from '../../src/formats/srt.ts';
import { TWO_SEGMENTS } from './fixture.ts';

describe('renderTranscript', () => {
  it('does dispatch each format to its renderer and passes options on', () => {
    const result = TWO_SEGMENTS();
    expect(renderTranscript(result, 'srt', { maxLineChars: 6 })).toBe(renderSrt(result, { maxLineChars: 6 }));
    expect(renderTranscript(result, 'text')).toBe('Hello world.\nSecond line here\n');
    expect(JSON.parse(renderTranscript(result, 'verbose_json')).language).toBe('english');
    expect(JSON.parse(renderTranscript(result, 'json')).language).toBe('en');
    expect(renderTranscript(result, 'vtt').startsWith('WEBVTT\n')).toBe(true);
    expect(renderTranscript(result, 'tsv').startsWith('start\tend\ttext\n')).toBe(true);
  });

  it('does know every format and its content type', () => {
    expect(RESULT_FORMATS.filter(isResultFormat)).toHaveLength(6);
    expect(isResultFormat('docx')).toBe(false);
    expect(contentTypeFor('vtt')).toBe('text/vtt; charset=utf-8');
    expect(contentTypeFor('srt')).toBe('application/x-subrip; charset=utf-8');
    expect(contentTypeFor('verbose_json')).toBe('application/json; charset=utf-8');
  });
});

describe('downloadFileName', () => {
  it('does swap the media extension for the format one', () => {
    expect(downloadFileName('meeting 2024.mp3', 'srt')).toBe('meeting 2024.srt');
    expect(downloadFileName('talk.final.wav', 'verbose_json')).toBe('talk.final.verbose.json');
    expect(downloadFileName('../../etc/passwd', 'text')).toBe('passwd.txt');
    expect(downloadFileName('', 'vtt')).toBe('transcript.vtt');
  });

  it('does give an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('café "x".srt')).toBe(`attachment; filename="cafe _x_.srt"; filename*=UTF-8''caf%C3%A9%20%22x%22.srt`);
    expect(attachmentDisposition('会議.vtt')).toBe(`attachment; filename="transcript.vtt"; filename*=UTF-8''%E4%BC%9A%E8%AD%B0.vtt`);
  });
});
