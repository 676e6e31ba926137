import type { OpenApiDocument } from './openapi-document.ts';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** `code` spans for backticked words in descriptions, on already-escaped text. */
const prose = (text: string | undefined) => (text ? `<p>${escape(text).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>` : '');

interface Parameter { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> }
interface Operation {
  summary: string;
  description?: string;
  tags: string[];
  parameters: Parameter[];
  requestBody?: { description?: string; content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }>; headers?: Record<string, { description: string }> }>;
  security?: unknown[];
}

const schemaBlock = (schema: unknown) => `<details><summary>schema</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details>`;

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(' | ');
  const parts = [String(schema.type ?? 'any')];
  if (typeof schema.pattern === 'string') parts.push(`pattern ${schema.pattern}`);
  return parts.join(', ');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = op.parameters.length === 0 ? '' : `<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Required</th><th>About</th></tr>${op.parameters
    .map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${escape(typeOf(p.schema))}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escape(p.description ?? String(p.schema.description ?? ''))}</td></tr>`)
    .join('')}</table>`;
  const body = op.requestBody
    ? `<h4>Request body</h4>${prose(op.requestBody.description)}${Object.entries(op.requestBody.content).map(([type, c]) => `<p><code>${escape(type)}</code></p>${schemaBlock(c.schema)}`).join('')}`
    : '';
  const responses = Object.entries(op.responses).map(([status, r]) => {
    const types = Object.entries(r.content ?? {});
    const headers = Object.entries(r.headers ?? {}).map(([name, h]) => `<div>header <code>${escape(name)}</code>: ${escape(h.description)}</div>`).join('');
    return `<li><strong>${escape(status)}</strong> ${escape(r.description)}${headers}${types.map(([type, c]) => `<div><code>${escape(type)}</code></div>${schemaBlock(c.schema)}`).join('')}</li>`;
  }).join('');
  const open = op.security?.length === 0 ? ' <span class="public">no key needed</span>' : '';
  return `<section id="${escape(`${method}-${path}`)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code>${open}</h3>
<p>${escape(op.summary)}</p>${prose(op.description)}${params}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
}

/** The document as one self-contained HTML page: no scripts, nothing loaded from elsewhere. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  const toc: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as Operation;
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
      toc.push(`<li><a href="#${escape(`${method}-${path}`)}">${method.toUpperCase()} ${escape(path)}</a></li>`);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${escape(tag)}</h2>${ops.join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f4f6;padding:.6rem;overflow:auto;border-radius:4px}
section{border-top:1px solid #ddd;padding:.4rem 0}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.m{display:inline-block;min-width:4.5rem;padding:0 .4rem;border-radius:3px;color:#fff;background:#555;text-align:center}
.get{background:#1a7f37}.post{background:#0550ae}.delete{background:#cf222e}.public{font-size:12px;color:#1a7f37}
</style></head><body>
<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>
${prose(doc.info.description)}
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).</p>
<ul>${toc.join('')}</ul>
${sections}
</body></html>
`;
}
