import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Config } from './config.ts';

/** One log call: structured fields, then the message (pino's argument order). */
export type LogFn = (fields: object, message: string) => void;

/**
 * The logger port every layer takes (http, ws, tasks, webhooks, retention, cluster); a pino logger
 * satisfies it, and tests pass a plain object.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** Whether a level would be written (pino has it): lets a hot path skip building a line; absent means on. */
  isLevelEnabled?(level: string): boolean;
}

/** The log levels of the port. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger that writes nothing (the default where none is given). */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The port over one function (the CLI and the benchmarks print lines their own way). */
export function loggerFrom(write: (level: LogLevel, fields: object, message: string) => void): Logger {
  return {
    debug: (fields, message) => write('debug', fields, message),
    info: (fields, message) => write('info', fields, message),
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
  };
}

/** Fields whose values never reach a log line, wherever they appear. */
const SECRET_PATHS = [
  'apiKey', '*.apiKey', 'API_KEYS', '*.API_KEYS', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'headers["x-api-key"]', '*.headers["x-api-key"]',
  'headers.cookie', '*.headers.cookie',
];

/** A pino logger writing structured JSON lines (to stdout unless a destination is given); main.ts also uses its `fatal`. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): PinoLogger {
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
