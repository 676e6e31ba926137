import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { errorBody } from '../../contract/error-body.ts';
import { serviceDocs } from '../openapi/openapi-service.ts';
import { documentLast } from '../openapi/route-doc.ts';

/** Where scripts/build-web.mjs writes the page. */
export const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web-dist');

/** What the web routes need: where the built page is. */
export interface WebRouteDeps {
  webDist?: string;
}

/** Paths anyone may load without an API key: the page itself and its assets (they hold no data). */
export function isPublicWebPath(p: string): boolean {
  return p === '/' || p.startsWith('/assets/');
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};
const typeOf = (file: string) => TYPES[path.extname(file).toLowerCase()];

// The page fetches nothing from elsewhere; the policy makes sure of it.
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** GET / (the page) and GET /assets/* (hashed, cached for a year). */
export function createWebRoutes(deps: WebRouteDeps): Hono {
  const dist = deps.webDist ?? DEFAULT_WEB_DIST;
  const app = new Hono();
  const docs = serviceDocs();

  app.get('/', async (c) => {
    try {
      return c.body(await readFile(path.join(dist, 'index.html'), 'utf8'), 200, PAGE_HEADERS);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return c.text('The web page is not built yet: run `node scripts/build-web.mjs` (`npm start` does it).', 503);
    }
  });
  documentLast(app, docs.page);

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = typeOf(name);
    // Only plain names of known types: nothing can climb out of the assets folder.
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || !type) return c.json(errorBody('NOT_FOUND', 'No such asset.'), 404);
    try {
      const data = await readFile(path.join(dist, 'assets', name));
      return c.body(new Uint8Array(data), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return c.json(errorBody('NOT_FOUND', 'No such asset.'), 404);
    }
  });
  documentLast(app, docs.assets);


  return app;
}
