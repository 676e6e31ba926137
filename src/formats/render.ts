import type { TranscriptResult } from '../contract/transcript.ts';
import type { CueOptions } from './cues.ts';
import { renderJson } from './json.ts';
import { renderSrt } from './srt.ts';
import { renderText } from './text.ts';
import { renderTsv } from './tsv.ts';
import { renderVerboseJson, type VerboseOptions } from './verbose-json.ts';
import { renderVtt } from './vtt.ts';

/** Every format a transcript can be rendered in. */
export const RESULT_FORMATS = ['json', 'verbose_json', 'text', 'srt', 'vtt', 'tsv'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** Options any renderer may use; each ignores the ones it has no use for. */
export type RenderOptions = CueOptions & VerboseOptions;

const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  verbose_json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
};

const EXTENSIONS: Record<ResultFormat, string> = {
  json: '.json', verbose_json: '.verbose.json', text: '.txt', srt: '.srt', vtt: '.vtt', tsv: '.tsv',
};

/** Narrows a query value to a known format. */
export function isResultFormat(value: string): value is ResultFormat {
  return (RESULT_FORMATS as readonly string[]).includes(value);
}

/** The Content-Type header for a format. */
export function contentTypeFor(format: ResultFormat): string {
  return CONTENT_TYPES[format];
}

/** The file extension (with its dot) for a format. */
export function extensionFor(format: ResultFormat): string {
  return EXTENSIONS[format];
}

/** Renders a transcript in one format; pure, so the same result always gives the same bytes. */
export function renderTranscript(result: TranscriptResult, format: ResultFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'json': return renderJson(result);
    case 'verbose_json': return renderVerboseJson(result, options);
    case 'text': return renderText(result);
    case 'srt': return renderSrt(result, options);
    case 'vtt': return renderVtt(result, options);
    case 'tsv': return renderTsv(result);
  }
}
