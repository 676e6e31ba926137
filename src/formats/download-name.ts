import { extensionFor, type ResultFormat } from './render.ts';

/** A download name for a transcript: the media's name without its extension, plus the format's. */
export function downloadFileName(mediaName: string, format: ResultFormat): string {
  const base = (mediaName.split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*;\\]/g, '')
    .replace(/\.[^.]{1,12}$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return `${base === '' ? 'transcript' : base}${extensionFor(format)}`;
}

/** A Content-Disposition value with an ASCII fallback and the exact name as RFC 5987 UTF-8. */
export function attachmentDisposition(fileName: string): string {
  let ascii = fileName.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\%]/g, '_').trim();
  if (ascii === '' || ascii.startsWith('.')) ascii = `transcript${ascii}`; // never a hidden or empty name
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
