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
  td, th { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
  .note { color: #8a4b00; background: #fff4e0; padding: .5rem; }`;

/** A complete HTML page of the feature API. `body` must already be escaped. */
export function renderHtmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="id"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)} · Simpul</title><style>${pageStyle}</style></head>
    <body><header><a href="/?f=html">Simpul</a> · <a href="/collections?f=html">Koleksi / Collections</a>
    · <a href="/">Peta / Map</a></header><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A two-column table of names and values. */
export function renderPropertyTable(rows: [string, unknown][]): string {
  const cells = rows.map(
    ([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  return `<table>${cells.join('')}</table>`;
}
