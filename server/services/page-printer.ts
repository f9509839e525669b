import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { config } from '../config.js';
import { HttpProblem } from '../http/problem.js';
import { log } from '../log.js';

/** The file formats a printable page can be rendered to. */
export type PrintFormat = 'pdf' | 'png';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Browsers one process runs at once: each takes about 500 MB and most of a core. */
export const maxPrintsAtOnce = 2;
/** Prints that wait for a browser; one more is refused at once (503 `print-busy`). */
export const maxPrintsWaiting = 4;

/** A4 at 96 CSS pixels per inch: 210 × 297 mm. */
const a4Viewport = { width: 794, height: 1123 };

/** 406 when no browser can render: the caller is told to print the HTML page instead. */
function printUnavailable(format: PrintFormat, reason: string) {
  return new HttpProblem(
    406,
    'print-format-unavailable',
    'Format not available on this server',
    `${format.toUpperCase()} needs a Chromium on the server (${reason}). Ask for f=html and ` +
      'print it from the browser (Ctrl+P): the page is laid out for one A4 sheet.',
  );
}

/** 503 when every browser is busy and the queue full, or the wait ran past the print timeout. */
function printBusy(format: PrintFormat) {
  const problem = new HttpProblem(
    503,
    'print-busy',
    'Printing busy',
    `The server is printing other pages; ask for the ${format.toUpperCase()} again in a few ` +
      'seconds, or ask for f=html and print it from the browser.',
  );
  problem.headers['Retry-After'] = '10';
  return problem;
}

let printsRunning = 0;
const printsWaiting: (() => void)[] = [];

/** Hands the browser slot to the first print waiting, or frees it. */
function releasePrintSlot() {
  const next = printsWaiting.shift();
  if (next) next();
  else printsRunning -= 1;
}

/**
 * A slot among `maxPrintsAtOnce`, waited for in turn for up to `PRINT_TIMEOUT_MS` behind at most
 * `maxPrintsWaiting` others: a burst of print requests started a browser each, all at once.
 */
async function takePrintSlot(format: PrintFormat): Promise<void> {
  if (printsRunning < maxPrintsAtOnce) {
    printsRunning += 1;
    return;
  }
  if (printsWaiting.length >= maxPrintsWaiting) throw printBusy(format);
  await new Promise<void>((resolve, reject) => {
    const turn = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      printsWaiting.splice(printsWaiting.indexOf(turn), 1);
      reject(printBusy(format));
    }, config.printTimeoutMs);
    printsWaiting.push(turn);
  });
}

async function loadChromium(format: PrintFormat) {
  if (!config.chromiumPath) throw printUnavailable(format, 'set CHROMIUM_PATH');
  try {
    return (await import('playwright-core')).chromium;
  } catch {
    throw printUnavailable(format, 'the playwright-core package is not installed');
  }
}

/**
 * Renders a self-contained HTML page to a PDF (A4, backgrounds printed) or a PNG of the A4 page
 * at twice the CSS resolution, with the Chromium at `CHROMIUM_PATH`. Each call starts and stops
 * its own browser (about a second): printing is rare, and nothing stays running between prints.
 * At most `maxPrintsAtOnce` run at once (see `takePrintSlot`). Without a Chromium the answer is
 * a 406 pointing to the HTML page.
 */
export async function printPage(html: string, format: PrintFormat): Promise<Buffer> {
  const chromium = await loadChromium(format);
  await takePrintSlot(format);
  try {
    return await printInBrowser(chromium, html, format);
  } finally {
    releasePrintSlot();
  }
}

async function printInBrowser(
  chromium: Awaited<ReturnType<typeof loadChromium>>,
  html: string,
  format: PrintFormat,
): Promise<Buffer> {
  const started = Date.now();
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'simpul-print-'));
  try {
    const browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: config.chromiumPath!,
      headless: true,
      args: chromiumArgs,
      viewport: a4Viewport,
      deviceScaleFactor: format === 'png' ? 2 : 1,
      offline: true,
      timeout: config.printTimeoutMs,
    });
    try {
      const page = await browser.newPage();
      await page.emulateMedia({ media: 'print' });
      await page.setContent(html, { waitUntil: 'load', timeout: config.printTimeoutMs });
      // A screenshot has no @page margins: give the sheet its margins as padding.
      if (format === 'png') await page.addStyleTag({ content: 'body { padding: 11mm 12mm; }' });
      // The page's own fit-to-one-sheet step runs on `beforeprint`, which pdf() does not fire.
      await page.evaluate(() =>
        (window as unknown as { fitToOnePage?: () => void }).fitToOnePage?.(),
      );
      const bytes =
        format === 'pdf'
          ? await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
          : await page.screenshot({ fullPage: true, type: 'png' });
      log.info({ format, bytes: bytes.length, ms: Date.now() - started }, 'page printed');
      return bytes;
    } finally {
      await browser.close();
    }
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
}
