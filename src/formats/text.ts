import type { TranscriptResult } from '../contract/transcript.ts';

const clean = (text: string) => text.replace(/\s+/gu, ' ').trim();

/**
 * Plain text. Without speakers: one line per segment. With speakers: one paragraph per speaker
 * turn, "[SPEAKER_00] " in front and a blank line between paragraphs. Empty for an empty transcript.
 */
export function renderText(result: TranscriptResult): string {
  const segments = result.segments.map((s) => ({ speaker: s.speaker, text: clean(s.text) })).filter((s) => s.text !== '');
  if (segments.length === 0) return '';
  if (!segments.some((s) => s.speaker !== undefined)) return `${segments.map((s) => s.text).join('\n')}\n`;
  const paragraphs: { speaker: string | undefined; texts: string[] }[] = [];
  for (const s of segments) {
    const last = paragraphs.at(-1);
    if (last && last.speaker === s.speaker) last.texts.push(s.text);
    else paragraphs.push({ speaker: s.speaker, texts: [s.text] });
  }
  return `${paragraphs.map((p) => `${p.speaker !== undefined ? `[${p.speaker}] ` : ''}${p.texts.join(' ')}`).join('\n\n')}\n`;
}
