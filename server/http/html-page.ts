/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const pageStyle = `
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem; }
  header { border-bottom: 2px solid #2a6f97; margin-bottom: 1rem; }
  header a { color: #2a6f97; text-decoration: none; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  .scroll { overflow-x: auto; }
  .note { color: #8a4b00; background: #fff4e0; padding: .5rem; }
  .map { width: 100%; max-height: 24rem; background: #eef3f6; border: 1px solid #c8d3da; }
  .map path, .map circle { fill: #2a6f97; fill-opacity: .25; stroke: #1d4f6b; stroke-width: 1;
    fill-rule: evenodd; vector-effect: non-scaling-stroke; }
  .map path.line { fill: none; stroke-width: 2; }
  .map a:hover path, .map a:hover circle { fill: #e07a1f; stroke: #a4520c; }
  nav.pages a { margin-right: 1rem; }
  code { background: #f2f2f2; padding: 0 .2rem; }`;

/** A complete HTML page of the feature API. `body` must already be escaped. */
export function renderHtmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="id"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" type="image/svg+xml" href="/favicon.svg">
    <title>${escapeHtml(title)} · Simpul</title><style>${pageStyle}</style></head>
    <body><header><a href="/?f=html">Simpul</a> · <a href="/collections?f=html">Koleksi / Collections</a>
    · <a href="/api?f=html">API</a> · <a href="/">Peta / Map</a></header>
    <h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A two-column table of names and values. */
export function renderPropertyTable(rows: [string, unknown][]): string {
  const cells = rows.map(
    ([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  return `<table>${cells.join('')}</table>`;
}

/** A table with a header row; cells are escaped, except those given as `{ html }`. */
export function renderTable(headers: string[], rows: (unknown | { html: string })[][]): string {
  const cell = (value: unknown) =>
    typeof value === 'object' && value !== null && 'html' in value
      ? String((value as { html: string }).html)
      : escapeHtml(value);
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`);
  return `<div class="scroll"><table><tr>${head}</tr>${body.join('')}</table></div>`;
}

/** A link; `href` and text are escaped. */
export function renderLink(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}
