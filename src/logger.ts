import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

/** Fields whose values never reach a log line, wherever they appear. */
const SECRET_PATHS = [
  'apiKey', '*.apiKey', 'API_KEYS', '*.API_KEYS', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'headers["x-api-key"]', '*.headers["x-api-key"]',
  'headers.cookie', '*.headers.cookie',
];

/** A pino logger writing structured JSON lines (to stdout unless a destination is given). */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger } from 'pino';
