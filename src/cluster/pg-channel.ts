import type pg from 'pg';

/** One message as LISTEN hands it over. */
export type ChannelListener = (channel: string, payload: string) => void;

/** PostgreSQL LISTEN/NOTIFY: a connection of its own that listens, and notifies through the pool. */
export interface PgChannel {
  /** Settles once the first LISTEN is in place. */
  ready: Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** NOTIFY payloads must stay under 8000 bytes; a margin for the channel name and escaping. */
export const MAX_NOTIFY_BYTES = 7800;

/**
 * Listens on `channels` with one dedicated client from the pool. A lost connection is replaced
 * after `retryMs` (and `onReconnect` runs: what was missed while it was down must be re-read).
 */
export function openPgChannel(pool: pg.Pool, channels: string[], listener: ChannelListener, options: {
  retryMs?: number;
  onError?: (error: unknown) => void;
  onReconnect?: () => void;
} = {}): PgChannel {
  const retryMs = options.retryMs ?? 1000;
  let client: pg.PoolClient | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let connects = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const connect = async () => {
    if (closed) return;
    try {
      const c = await pool.connect();
      if (closed) return c.release();
      c.on('notification', (msg) => listener(msg.channel, msg.payload ?? ''));
      c.on('error', (error) => {
        options.onError?.(error);
        drop(c, error);
      });
      for (const channel of channels) await c.query(`LISTEN ${quoteIdent(channel)}`);
      client = c;
      if (connects++ > 0) options.onReconnect?.();
      markReady();
    } catch (error) {
      options.onError?.(error);
      schedule();
    }
  };
  const drop = (c: pg.PoolClient, error: unknown) => {
    if (client === c) client = null;
    c.release(error instanceof Error ? error : true);
    schedule();
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
  };
  void connect();

  return {
    ready,
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      closed = true;
      markReady();
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) {
        await c.query('UNLISTEN *').catch(() => {});
        c.release();
      }
    },
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad channel name ${name}`);
  return name;
}
