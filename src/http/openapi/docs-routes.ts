import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { OpenApiDocument } from './openapi-document.ts';
import { renderDocsPage } from './openapi-html.ts';
import { documentLast } from './route-doc.ts';
import { serviceDocs } from './openapi-service.ts';

// The page runs no script and loads nothing from elsewhere; its styles are inline.
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** GET /openapi.json and GET /docs (the page is rendered at its first request, then kept). */
export function docsRoutes(document: () => OpenApiDocument): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = serviceDocs();
  let page: string | undefined;
  routes.get('/openapi.json', (c) => c.json(document()));
  documentLast(routes, docs.openapi);
  routes.get('/docs', (c) => c.body((page ??= renderDocsPage(document())), 200, PAGE_HEADERS));
  documentLast(routes, docs.docs);
  return routes;
}
