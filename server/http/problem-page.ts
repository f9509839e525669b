/**
 * A problem as an HTML page, for a browser that navigated to a URL (a download link of the web
 * map, a feature page) rather than a program asking for JSON: a page of raw problem+json in
 * English told a planner nothing and left the map behind. The page says what went wrong in
 * Indonesian and in English, quotes the server's detail and the request id, and links back to
 * the map. Programs keep getting problem+json: only a client whose Accept header names
 * text/html and prefers it (every browser navigation) or that asks `f=html` gets the page.
 */
import type { Request } from 'express';
import { escapeHtml, renderHtmlPage } from './html-page.js';
import { acceptsHtmlFirst } from './negotiate.js';

/** True when the request is a browser's navigation, or asks `f=html`, and may read a page. */
export function prefersHtmlProblem(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.query.f !== undefined) return req.query.f === 'html';
  return acceptsHtmlFirst(req);
}

/** What went wrong, in Indonesian and in English. */
interface Explanation {
  id: string;
  en: string;
}

/** Explanations of the problem types a browser most likely meets, by type. */
const byType: Record<string, Explanation> = {
  'exports-busy': {
    id: 'Server sedang melayani unduhan lain. Coba lagi dalam setengah menit.',
    en: 'The server is busy with other downloads. Try again in half a minute.',
  },
  'database-unavailable': {
    id: 'Basis data tidak menjawab. Coba lagi sebentar lagi.',
    en: 'The database does not answer. Try again in a moment.',
  },
  'login-required': {
    id: 'Ini hanya untuk pengguna yang masuk. Masuk pada peta, lalu buka lagi tautan ini.',
    en: 'This is for logged-in users only. Log in on the map, then open this link again.',
  },
  'place-outside-regency': {
    id: 'Tempat ini berada di luar wilayah kabupaten; rencana tata ruangnya tidak mencakupnya.',
    en: 'This place lies outside the regency; its spatial plan does not cover it.',
  },
  'unknown-collection': {
    id: 'Lapisan ini tidak ada, atau akun Anda tidak berhak membacanya.',
    en: 'This layer does not exist, or your account may not read it.',
  },
};

/** Explanations by the class of the status, for the other types. */
function byStatus(status: number): Explanation {
  if (status === 401) {
    return { id: 'Masuk terlebih dahulu, lalu coba lagi.', en: 'Log in first, then try again.' };
  }
  if (status === 403) {
    return { id: 'Akun Anda tidak berhak atas ini.', en: 'Your account has no right to this.' };
  }
  if (status === 404) {
    return { id: 'Yang diminta tidak ada.', en: 'What was asked for does not exist.' };
  }
  if (status < 500) {
    return {
      id: 'Permintaan ini tidak dapat dipenuhi; keterangan server ada di bawah.',
      en: 'This request cannot be answered; the server says why below.',
    };
  }
  if (status === 503) {
    return {
      id: 'Layanan sedang tidak tersedia. Coba lagi sebentar lagi.',
      en: 'The service is unavailable for now. Try again in a moment.',
    };
  }
  return {
    id: 'Server gagal menjawab. Sebutkan kode permintaan di bawah saat melaporkannya.',
    en: 'The server failed to answer. Quote the request id below when reporting it.',
  };
}

/** The page of a problem; `detail` is the server's English text, `requestId` the log's id. */
export function renderProblemPage(problem: {
  status: number;
  type: string;
  detail: string;
  requestId: string;
}): string {
  const explanation = byType[problem.type] ?? byStatus(problem.status);
  const requestLine = problem.requestId
    ? `<p>Kode permintaan / Request id: <code>${escapeHtml(problem.requestId)}</code></p>`
    : '';
  const body =
    `<p lang="id">${escapeHtml(explanation.id)}</p>` +
    `<p lang="en"><i>${escapeHtml(explanation.en)}</i></p>` +
    `<p class="note">${escapeHtml(problem.detail)}</p>` +
    requestLine +
    `<p>HTTP ${problem.status} · <code>/problems/${escapeHtml(problem.type)}</code></p>` +
    '<p><a href="/">Kembali ke peta / Back to the map</a></p>';
  return renderHtmlPage('Gagal / Failed', body);
}
