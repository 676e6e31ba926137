/** Longest technical detail shown to a client; the whole text stays in the server log. */
const MAX_PUBLIC_CHARS = 300;

// Where uploads live on this server (…/uploads/<uuid>/media.ext) and any other absolute path.
const UPLOAD_PATH = /(?:[A-Za-z]:)?[^\s'"`()]*[\\/]uploads[\\/][\w-]{8,}(?:[\\/][^\s'"`(),;:]*)?/g;
const ABSOLUTE_PATH = /(?<![\w:./])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g;
// ffmpeg's banner and stream listing say nothing about why a file failed.
const NOISE = /^(ffmpeg|ffprobe) version|^\s*(built with|configuration:|lib\w+\s+\d)|^\s*(Input|Output|Stream|Duration|Metadata|encoder)\b|^\s*\w+\s+:\s/;

/**
 * The technical detail a client may see: upload paths become the client's file name (or "the
 * uploaded file"), other server paths `<path>`, ffmpeg's output is cut to its first and last
 * telling lines (the tool's verdict is its last line), and the whole is bounded.
 */
export function publicDetail(detail: string, fileName?: string): string {
  const name = fileName ? `"${fileName}"` : 'the uploaded file';
  const lines = detail
    .replace(UPLOAD_PATH, name)
    .replace(ABSOLUTE_PATH, '<path>')
    .replace(/\s*@ 0x[0-9a-f]+/gi, '')
    .replace(/\s*(ffmpeg|ffprobe) version [^\n]*/g, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const telling = lines.filter((l) => !NOISE.test(l));
  const from = telling.length > 0 ? telling : lines;
  const kept = from.length <= 2 ? from : [from[0]!, from[from.length - 1]!];
  const text = kept.join(' … ');
  return text.length > MAX_PUBLIC_CHARS ? `${text.slice(0, MAX_PUBLIC_CHARS - 1)}…` : text;
}
