/**
 * The `/docs` page: a small self-contained HTML page that renders `/openapi.json` in the browser (operations by
 * tag, their parameters, bodies and responses with schemas). Nothing is downloaded from anywhere else, so it
 * works offline and on Node 20 (swagger-ui's package needs Node 22). Its one inline script is allowed by hash
 * in the Content-Security-Policy, so the page runs no other script.
 */
import { createHash } from 'node:crypto';

const SCRIPT = String.raw`
(async function renderDocs() {
  const root = document.getElementById('ops');
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of children) node.append(child);
    return node;
  };
  let doc;
  try {
    const res = await fetch('openapi.json', { headers: { accept: 'application/json' } });
    doc = await res.json();
  } catch (error) {
    root.append(el('p', { class: 'err' }, 'Could not load openapi.json: ' + error));
    return;
  }
  const resolve = (schema, depth) => {
    if (!schema || typeof schema !== 'object' || depth > 8) return schema;
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.split('/').pop();
      return resolve((doc.components && doc.components.schemas || {})[name], depth + 1);
    }
    if (Array.isArray(schema)) return schema.map((item) => resolve(item, depth + 1));
    const out = {};
    for (const [key, value] of Object.entries(schema)) out[key] = resolve(value, depth + 1);
    return out;
  };
  const schemaBlock = (label, schema) =>
    el('details', {}, el('summary', {}, label), el('pre', {}, JSON.stringify(resolve(schema, 0), null, 2)));
  document.getElementById('title').textContent = doc.info.title + ' (v' + doc.info.version + ')';
  const openAll = location.hash === '#all';
  document.getElementById('intro').textContent = doc.info.description || '';
  const byTag = new Map();
  for (const [path, methods] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  for (const [tag, ops] of byTag) {
    root.append(el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      const body = el('div', { class: 'body' });
      if (op.description) body.append(el('p', {}, op.description));
      for (const p of op.parameters || []) {
        body.append(el('p', { class: 'param' }, el('code', {}, p.in + ': ' + p.name), ' ', (p.schema && p.schema.description) || p.description || ''));
      }
      const content = (op.requestBody && op.requestBody.content) || {};
      for (const [type, media] of Object.entries(content)) body.append(schemaBlock('Request body: ' + type, media.schema));
      for (const [status, response] of Object.entries(op.responses || {})) {
        const media = response.content && Object.values(response.content)[0];
        const label = status + ' ' + (response.description || '');
        body.append(media && media.schema ? schemaBlock(label, media.schema) : el('p', { class: 'status' }, label));
      }
      root.append(
        el('details', openAll ? { class: 'op', open: '' } : { class: 'op' },
          el('summary', {}, el('span', { class: 'm ' + method }, method.toUpperCase()), el('code', {}, path), ' ', op.summary || ''),
          body),
      );
    }
  }
  // Inline event handlers are blocked by the page's CSP; listen from here instead.
  window.addEventListener('hashchange', () => {
    for (const op of document.querySelectorAll('details.op')) op.open = location.hash === '#all';
  });
})();
`;

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d2330; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; text-transform: capitalize; border-bottom: 1px solid #ddd; }
.op { border: 1px solid #dde; border-radius: 6px; margin: .5rem 0; padding: .4rem .7rem; }
.op > summary { cursor: pointer; } .body { padding: .3rem 0 .3rem 1rem; }
.m { display: inline-block; min-width: 4.2rem; font-weight: 700; font-size: .8rem; }
.get { color: #176f2c; } .post { color: #1f4fb3; } .delete { color: #b3261e; } .put { color: #8a5a00; }
code { background: #f2f3f7; padding: 0 .3rem; border-radius: 3px; margin-right: .4rem; }
pre { background: #f6f7fa; padding: .6rem; overflow: auto; font-size: 13px; } .err { color: #b3261e; }
`;

/** The page; the script finds `openapi.json` relative to the page, so it also works behind a path prefix. */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cardwatch API</title><style>${STYLE}</style></head>
<body><h1 id="title">cardwatch API</h1><p id="intro"></p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). <a href="#all">Expand all</a>.</p>
<main id="ops"></main><script>${SCRIPT}</script></body></html>
`;

/** Lets exactly the page's own script and style run, and fetch only from this server. */
export const DOCS_CSP =
  `default-src 'none'; connect-src 'self'; ` +
  `script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; ` +
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** The web app's place until it exists: a page pointing at the API and its docs. */
export const UI_PLACEHOLDER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cardwatch</title></head>
<body style="font:15px system-ui,sans-serif;margin:3rem auto;max-width:40rem">
<h1>cardwatch</h1><p>The web app is not built yet. The scoring API is running:
see the <a href="../docs">API documentation</a>, the <a href="../model">served model</a> and
<a href="../ready">readiness</a>.</p></body></html>
`;
