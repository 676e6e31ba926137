import * as v from 'valibot';
import { ClientFrameSchema, type ServerFrame } from '../contract/frames.ts';
import { connectionErrorFrame } from './frames.ts';

/** The answer to one client frame: pong for a ping, an INVALID_FRAME error for anything else. */
export function answerClientFrame(taskId: string, data: string | ArrayBuffer | Blob | ArrayBufferLike, maxBytes: number): ServerFrame {
  const invalid = (detail: string) =>
    connectionErrorFrame(taskId, 'INVALID_FRAME', 'The server did not understand a message from this client; the only accepted message is {"type":"ping"}.', detail);
  if (typeof data !== 'string') return invalid('binary frames are not accepted; send JSON text');
  const size = Buffer.byteLength(data);
  if (size > maxBytes) return invalid(`frame of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    return invalid(`frame is not valid JSON: ${(error as Error).message}`);
  }
  const result = v.safeParse(ClientFrameSchema, parsed);
  if (!result.success) {
    const type = typeof parsed === 'object' && parsed !== null && 'type' in parsed ? JSON.stringify(parsed.type).slice(0, 60) : 'none';
    return invalid(`unknown or malformed frame (type ${type}); expected {"type":"ping"}`);
  }
  return { type: 'pong' };
}
