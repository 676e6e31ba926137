/** Most bytes a kept client file name may take (UTF-8). */
const MAX_NAME_BYTES = 200;

/**
 * Makes a client-supplied file name safe to store and show: no directories, no control or
 * reserved characters, bounded length. The result is a label only, never part of a path.
 */
export function sanitizeFileName(raw: string | undefined | null, fallback = 'upload'): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  while (Buffer.byteLength(name) > MAX_NAME_BYTES) name = name.slice(0, -1);
  return name === '' ? fallback : name;
}

/** A short, lower-case extension (with the dot) from a sanitized name, or '' when it has none worth keeping. */
export function safeExtension(name: string): string {
  const match = /\.([a-z0-9]{1,8})$/i.exec(name);
  return match ? `.${match[1]!.toLowerCase()}` : '';
}
