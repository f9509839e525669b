import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../../server/config.js';
import { createUser } from '../../../server/services/account-service.js';
import { packZip } from '../../../server/formats/zip-archive.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

const password = 'batas-desa-2024';
const shapefile = path.resolve('test/fixtures/import/desa-utm49s-cp1252.zip');
const shapefileWithoutPrj = path.resolve('test/fixtures/import/desa-utm49s-no-prj.zip');

describe('the import and export sheet', () => {
  let server: TestServer;
  let launched: TestBrowser;
  let browser: BrowserContext;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    await createUser(pool, { name: 'tapem', password, roles: ['administrative:editor'] });
    launched = await launchBrowser({ width: 1280, height: 900 });
    browser = launched.context;
  });
  afterAll(async () => {
    await launched?.close();
    await server?.close();
  });

  async function logIn(page: Page) {
    await page.goto(server.baseUrl);
    await logInThroughDialog(page, 'tapem', password);
  }

  /**
   * Runs `body` on a new page logged in as the editor, then puts the interface language back
   * and closes the page, whatever the body did.
   */
  async function withEditorPage(body: (page: Page) => Promise<void>) {
    await browser.clearCookies();
    const page = await browser.newPage();
    try {
      await logIn(page);
      await body(page);
    } finally {
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  }

  const sheet = '.import-sheet';

  /** Opens the sheet on `page` with the desa layer chosen to import into. */
  async function openSheetForDesa(page: Page) {
    await page.click('.import-sheet__open');
    const importSection = page.locator(`${sheet} .import-section`).nth(1);
    await importSection.locator('select').first().selectOption('desa');
  }

  /** Sends the sheet one desa as a semicolon CSV in Windows-1252, as Excel on Windows saves. */
  async function sendExcelCsv(page: Page) {
    const square =
      'POLYGON((108.76 -7.30,108.764 -7.30,108.764 -7.296,108.76 -7.296,108.76 -7.30))';
    const text = `WKT;Nama;Kode;Jenis\r\n"${square}";Cibéurèum;33.01.99.2901;desa\r\n`;
    await page.setInputFiles(`${sheet} input[type=file]`, {
      name: 'excel.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(text, 'latin1'),
    });
  }

  /**
   * Imports `file` into the desa layer through the sheet, in the mode asked, and returns the
   * report step once its table of rejected rows is shown.
   */
  async function importIntoDesa(
    page: Page,
    file: Parameters<Page['setInputFiles']>[1],
    mode: 'all-or-nothing' | 'valid-only',
  ) {
    await openSheetForDesa(page);
    await page.setInputFiles(`${sheet} input[type=file]`, file);
    await page.click(`${sheet} button:has-text("Pratinjau")`);
    if (mode === 'valid-only') {
      const modeSelect = page.locator(`${sheet} .import-field`, { hasText: 'Jika ada baris' });
      await modeSelect.locator('select').selectOption({ label: 'tulis baris yang benar saja' });
    }
    await page.click(`${sheet} button:has-text("Mulai impor")`);
    const status = mode === 'valid-only' ? 'succeeded' : 'rejected';
    await page.waitForSelector(`${sheet} .import-status--${status}`, { timeout: 30000 });
    const report = page.locator(`${sheet} .import-step`).last();
    await report.locator('table').waitFor();
    return report;
  }

  /** Opens the sheet on `page` and previews the desa Shapefile for the desa layer. */
  async function previewDesaShapefile(page: Page) {
    await openSheetForDesa(page);
    await page.setInputFiles(`${sheet} input[type=file]`, shapefile);
    await page.click(`${sheet} button:has-text("Pratinjau")`);
    await page.waitForSelector(`${sheet} .import-step table`);
  }

  it('uploads a Shapefile, maps a field by hand, previews it and imports it', async () => {
    const page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await logIn(page);

    await previewDesaShapefile(page);
    const codeRow = page.locator(`${sheet} .import-step tr`, { hasText: 'Kode Kemendagri' });
    await codeRow.locator('select').selectOption('KODE');
    await page.click(`${sheet} button:has-text("Mulai impor")`);
    await page.waitForSelector(`${sheet} .import-status--succeeded`, { timeout: 30000 });

    const rows = await server.testDatabase.database.pool.query(
      "SELECT name FROM desa WHERE code = '33.01.99.2001'",
    );
    expect(rows.rows).toEqual([{ name: 'Tégalréja' }]);
    expect(await page.locator(`${sheet} .import-status`).innerText()).toContain('3 objek');
    expect(pageErrors).toEqual([]);
  });

  it('names each mapping choice by its attribute, for a screen reader', async () => {
    await withEditorPage(async (page) => {
      await previewDesaShapefile(page);
      const code = page.getByRole('combobox', { name: 'Kode Kemendagri', exact: true });
      await code.selectOption('KODE');
      expect(await code.getAttribute('aria-required')).toBe('true');
      const choices = page.locator(`${sheet} .import-table select`);
      const names = await choices.evaluateAll((all) => all.map((s) => s.ariaLabel));
      expect(names.length).toBeGreaterThan(1);
      expect(names.filter((name) => !name)).toEqual([]);
    });
  });

  it('marks the problems of the first rows out of date once the mapping changes', async () => {
    await withEditorPage(async (page) => {
      await previewDesaShapefile(page);
      const stale = page.locator(`${sheet} .import-step [role=status]`);
      const problems = page.locator(`${sheet} .import-step .import-table`).nth(1);
      const saidBefore = await stale.innerText({ timeout: 5000 });

      const code = page.getByRole('combobox', { name: 'Kode Kemendagri', exact: true });
      await code.selectOption('KODE');
      const saidAfter = await stale.innerText();
      const dimmed = await problems.evaluate((table) => getComputedStyle(table).opacity);
      await page.click('#lang-toggle');
      const saidInEnglish = await stale.innerText();
      await page.locator(`${sheet} .import-step`).nth(1).getByRole('button').first().click();
      await expect.poll(() => stale.innerText()).toBe('');

      expect(saidBefore).toBe('');
      expect(saidAfter).toMatch(/^Pemetaan kolom diubah setelah pratinjau;.+Tekan Pratinjau/);
      expect(Number(dimmed)).toBeLessThan(1);
      expect(saidInEnglish).toMatch(/^The field mapping changed after the preview;.+Preview/);
    });
  });

  it('marks the preview out of date once the encoding, delimiter or CRS changes', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      await sendExcelCsv(page);
      const reading = page.locator(`${sheet} .import-step`).first();
      const readAgain = reading.getByRole('button', { name: 'Pratinjau' });
      await readAgain.click();
      await page.waitForSelector(`${sheet} .import-step table`);
      const stale = page.locator(`${sheet} .import-step [role=status]`);
      const problems = page.locator(`${sheet} .import-stale + *`);
      const field = (title: string) =>
        reading.locator('.import-field', { hasText: title }).locator('select, input');
      /** What the sheet says once `change` is made, then once Pratinjau reads the file again. */
      const saidAround = async (change: () => Promise<unknown>) => {
        await change();
        const said = await stale.innerText();
        const dimmed = await problems.evaluate((part) => getComputedStyle(part).opacity);
        await readAgain.click();
        await expect.poll(() => stale.innerText()).toBe('');
        return { said, dimmed: Number(dimmed) < 1 };
      };

      const saidBefore = await stale.innerText({ timeout: 5000 });
      const encoding = await saidAround(() => field('Pengodean teks').selectOption('utf-8'));
      const delimiter = await saidAround(() => field('Pemisah').selectOption(';'));
      const crs = await saidAround(async () => {
        await field('Sistem koordinat').fill('EPSG:4326');
        await field('Sistem koordinat').press('Tab');
      });
      await field('Pengodean teks').selectOption('windows-1252');
      await page.click('#lang-toggle');
      const saidInEnglish = await stale.innerText();

      const outOfDate = /^Pilihan pembacaan berkas diubah setelah pratinjau;.+Tekan Pratinjau/;
      expect(saidBefore).toBe('');
      expect(encoding.said).toMatch(outOfDate);
      expect(delimiter.said).toMatch(outOfDate);
      expect(crs.said).toMatch(outOfDate);
      expect([encoding.dimmed, delimiter.dimmed, crs.dimmed]).toEqual([true, true, true]);
      expect(saidInEnglish).toMatch(/^The reading options changed after the preview;.+Preview/);
    });
  });

  /** Sends the sheet `lines` as `name`, reads it, and returns what reads it again. */
  async function previewCsvLines(page: Page, name: string, lines: string[]) {
    await page.setInputFiles(`${sheet} input[type=file]`, {
      name,
      mimeType: 'text/csv',
      buffer: Buffer.from(`${lines.join('\n')}\n`),
    });
    const readAgain = page.locator(`${sheet} .import-step`).first().getByRole('button');
    await readAgain.click();
    await page.waitForSelector(`${sheet} .import-step table`);
    return readAgain;
  }

  /** The decimal mark's choice in the sheet's reading options, found by its title. */
  const decimalMark = (page: Page, title = 'Tanda desimal') =>
    page.locator(`${sheet} .import-field`, { hasText: title }).locator('select');

  const squareCell = (lon: number) =>
    `"POLYGON((${lon} -7.30,${lon + 0.004} -7.30,${lon + 0.004} -7.296,${lon} -7.30))"`;

  it('offers the decimal comma that its note on numbers read either way asks for', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      const readAgain = await previewCsvLines(page, 'luas.csv', [
        'WKT;Nama;Kode;Jenis;Luas',
        `${squareCell(108.78)};Satu;33.01.99.2921;desa;1.200`,
        `${squareCell(108.79)};Dua;33.01.99.2922;desa;850`,
      ]);
      const notes = page.locator(`${sheet} .import-step`).nth(1).locator('.import-note');
      const stale = page.locator(`${sheet} .import-step [role=status]`);
      const notesBefore = await notes.allInnerTexts();

      await decimalMark(page).selectOption('comma');
      const said = await stale.innerText();
      await readAgain.click();
      await expect.poll(() => stale.innerText()).toBe('');
      const notesAfter = await notes.allInnerTexts();
      await page.click('#lang-toggle');
      const inEnglish = decimalMark(page, 'Decimal mark').locator('option:checked');
      const shownInEnglish = await inEnglish.innerText();

      expect(notesBefore.join('\n')).toMatch(/Kolom "Luas" .+pilih tanda desimal "koma"/);
      expect(said).toMatch(/^Pilihan pembacaan berkas diubah setelah pratinjau/);
      expect(notesAfter.join('\n')).toContain('desimal dengan koma');
      expect(notesAfter.join('\n')).not.toContain('Kolom "Luas"');
      expect(shownInEnglish).toBe('comma (109,01)');
    });
  });

  // A checkbox could turn the decimal comma on, never off where the file looked written with
  // one: here "12,5" made the server read "2.000" as two thousand.
  it('forces the decimal point where the file was read with a decimal comma', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      const readAgain = await previewCsvLines(page, 'panjang.csv', [
        'WKT;Nama;Kode;Jenis;Luas;Panjang',
        `${squareCell(108.78)};Satu;33.01.99.2921;desa;12,5;2.000`,
      ]);
      const notes = page.locator(`${sheet} .import-step`).nth(1).locator('.import-note');
      const stale = page.locator(`${sheet} .import-step [role=status]`);
      const notesBefore = await notes.allInnerTexts();
      const sent: unknown[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/imports/preview')) sent.push(request.postDataJSON().csv);
      });

      const mark = decimalMark(page);
      await mark.selectOption('point');
      await readAgain.click();
      await expect.poll(() => stale.innerText()).toBe('');
      const notesAfter = await notes.allInnerTexts();
      await mark.selectOption('');
      await readAgain.click();
      await expect.poll(() => stale.innerText()).toBe('');

      expect(notesBefore.join('\n')).toContain('Pemisah ";", desimal dengan koma.');
      expect(notesAfter.join('\n')).toContain('Pemisah ";".');
      expect(notesAfter.join('\n')).not.toContain('desimal dengan koma');
      expect(notesAfter.join('\n')).toMatch(/Kolom "Panjang" berisi angka seperti 2\.000/);
      expect(sent).toEqual([{ decimalComma: false }, {}]);
    });
  });

  it('starts one import however often Mulai impor is pressed while it is asked', async () => {
    await withEditorPage(async (page) => {
      await previewDesaShapefile(page);
      await page.locator(`${sheet} .import-step label.import-check input`).check();
      const starts: string[] = [];
      await page.route(/\/imports$/, async (route) => {
        if (route.request().method() === 'POST') starts.push(route.request().url());
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      });
      const start = page.locator(`${sheet} button:has-text("Mulai impor")`);
      await start.click();
      await start.click();
      await page.waitForSelector(`${sheet} .import-status--checked`, { timeout: 30000 });
      expect(starts).toHaveLength(1);
    });
  });

  it('shows the sheet whole on a phone, its left edge inside the window', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await page.click('.import-sheet__open');
    await page.locator(`${sheet} .import-section`).first().waitFor();

    const box = (await page.locator(sheet).boundingBox())!;

    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('gives each mapping choice and button a touch target 44 px high on a phone', async () => {
    await withEditorPage(async (page) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await previewDesaShapefile(page);

      const heights = await page
        .locator(`${sheet} .import-step select, ${sheet} .import-step button`)
        .evaluateAll((all) => all.map((node) => node.getBoundingClientRect().height));

      expect(heights.length).toBeGreaterThan(5);
      expect(heights.filter((height) => height < 44)).toEqual([]);
    });
  });

  it('draws its download link and file picker as high as its buttons, phone or not', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      await sendExcelCsv(page);
      // the read options' Pratinjau: the mapping's, a second one, may come while measuring
      const preview = `${sheet} button[data-focus-key="import.preview.readOptions"]`;
      await page.locator(preview).waitFor();
      // measured in one pass of the page, as the sheet redraws its parts once a second
      const heightsOf = () =>
        page.evaluate(
          (selectors) =>
            selectors.map((s) => document.querySelector(s)?.getBoundingClientRect().height),
          [`${sheet} a.import-download`, `${sheet} .file-picker__button`, preview],
        );

      const onDesk = await heightsOf();
      await page.setViewportSize({ width: 390, height: 844 });
      const onPhone = await heightsOf();

      expect(onDesk).toEqual([32, 32, 32]);
      expect(onPhone).toEqual([44, 44, 44]);
    });
  });

  it('labels its file picker in the interface language, reached by keyboard too', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      const picker = page.locator(`${sheet} .file-picker`);
      const emptyPicker = await picker.innerText({ timeout: 5000 });

      // from the layer choice, Tab reaches the picker, whose name is the field's title
      await page.locator(`${sheet} .import-section`).nth(1).locator('select').first().focus();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.id);
      const named = await page.getByLabel('Berkas (GeoJSON', { exact: false }).count();
      const opened = page.waitForEvent('filechooser');
      await page.keyboard.press('Space');
      await (await opened).setFiles(shapefile);
      await page.locator(`${sheet} .import-step`).first().waitFor();
      const chosenPicker = await picker.innerText();
      const byClick = page.waitForEvent('filechooser');
      await picker.getByText('Pilih berkas…').click();
      await byClick;
      await page.click('#lang-toggle');
      const englishPicker = await picker.innerText();

      expect(emptyPicker.replace(/\s+/g, ' ')).toBe('Pilih berkas… Belum ada berkas dipilih');
      expect(chosenPicker.replace(/\s+/g, ' ')).toBe('Pilih berkas… desa-utm49s-cp1252.zip');
      expect(englishPicker.replace(/\s+/g, ' ')).toBe('Choose a file… desa-utm49s-cp1252.zip');
      expect(focused).toBe('import-file');
      expect(named).toBe(1);
    });
  });

  /** What has the keyboard's focus: a status by its class, else its text and its step. */
  const focusedPart = (page: Page) =>
    page.evaluate(() => {
      const focused = document.activeElement as HTMLElement;
      const status = focused.className.match(/import-status--\w+/);
      const steps = [...document.querySelectorAll('.import-step')];
      const step = steps.indexOf(focused.closest('.import-step')!);
      return status ? status[0] : `${focused.textContent} in step ${step}`;
    });

  it('keeps the focus on the button pressed, or on the status that replaced it', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      // a desa of its own: the other tests' imports leave theirs in the layer
      const square =
        'POLYGON((108.77 -7.30,108.774 -7.30,108.774 -7.296,108.77 -7.296,108.77 -7.30))';
      await page.setInputFiles(`${sheet} input[type=file]`, {
        name: 'fokus.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`WKT;Nama;Kode;Jenis\n"${square}";Fokus;33.01.99.2911;desa\n`),
      });
      const pressByKeyboard = async (name: string, nth = 0) => {
        await page.locator(`${sheet} button:has-text("${name}")`).nth(nth).focus();
        await page.keyboard.press('Enter');
      };

      await pressByKeyboard('Pratinjau');
      await page.waitForSelector(`${sheet} .import-step table`);
      const afterPreview = await focusedPart(page);
      const codeRow = page.locator(`${sheet} .import-step tr`, { hasText: 'Kode Kemendagri' });
      await codeRow.locator('select').selectOption('Kode');
      await pressByKeyboard('Pratinjau', 1);
      await page.waitForFunction(() => !document.querySelector('.import-stale')?.textContent);
      const afterCheck = await focusedPart(page);
      await pressByKeyboard('Mulai impor');
      await page.waitForSelector(`${sheet} .import-status--succeeded`, { timeout: 30000 });
      const afterStart = await focusedPart(page);
      await pressByKeyboard('Batalkan impor ini');
      await page.waitForSelector(`${sheet} .import-status--undone`, { timeout: 30000 });
      const afterUndo = await focusedPart(page);

      expect(afterPreview).toBe('Pratinjau in step 0');
      expect(afterCheck).toBe('Pratinjau in step 1');
      expect(afterStart).toBe('Mulai impor in step 1');
      expect(afterUndo).toBe('import-status--undone');
    });
  });

  it('names the step a long import is at and stops it when asked', async () => {
    const pool = server.testDatabase.database.pool;
    const countDesa = async () =>
      (await pool.query('SELECT count(*)::int AS n FROM desa')).rows[0].n;
    const before = await countDesa();
    await browser.clearCookies();
    const page = await browser.newPage();
    await logIn(page);
    await previewDesaShapefile(page);
    const codeRow = page.locator(`${sheet} .import-step tr`, { hasText: 'Kode Kemendagri' });
    await codeRow.locator('select').selectOption('KODE');
    const action = page.locator(`${sheet} label.import-field`, { hasText: 'Objek yang ada' });
    await action.locator('select').selectOption('replace');
    // Readers pass this lock; the replace waits behind it, as one of a large file would be
    // busy for minutes.
    const lock = new pg.Client({ connectionString: server.testDatabase.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE desa IN SHARE MODE');
    try {
      await page.click(`${sheet} button:has-text("Mulai impor")`);
      const step = page.locator(`${sheet} .import-step-name`);
      await step.filter({ hasText: 'Menyimpan ke lapisan' }).waitFor({ timeout: 15000 });

      // by keyboard: the focus goes on to the status that replaced the button
      await page.focus(`${sheet} button:has-text("Hentikan")`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`${sheet} .import-status--cancelled`, { timeout: 5000 });
    } finally {
      await lock.query('ROLLBACK');
      await lock.end();
    }

    expect(await page.locator(`${sheet} .import-status`).innerText()).toContain('tidak berubah');
    expect(await focusedPart(page)).toBe('import-status--cancelled');
    expect(await countDesa()).toBe(before);
    await page.close();
  });

  it('forgets the preview of the user who logged out', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await logIn(page);
    await previewDesaShapefile(page);

    await page.click('#login-button');
    await page.waitForFunction(
      () => !document.querySelector('#login-button')?.textContent?.includes('tapem'),
    );
    await logInThroughDialog(page, 'tapem', password);
    await page.locator(`${sheet} .import-section`).nth(1).locator('select').first().waitFor();

    expect(await page.locator(`${sheet} .import-step table`).count()).toBe(0);
    await page.close();
  });

  it('offers a visitor the chosen layer, format and CRS as a download link', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(server.baseUrl);

    await page.click('.import-sheet__open');
    const exportSection = page.locator(`${sheet} .import-section`).first();
    await exportSection.locator('select').nth(0).selectOption('kecamatan');
    await exportSection.locator('select').nth(1).selectOption('shapefile');
    await exportSection.locator('select').nth(2).selectOption('EPSG:32749');
    const href = await exportSection.locator('a.import-download').getAttribute('href');
    const response = await fetch(`${server.baseUrl}${href}`);

    expect(href).toBe('/exports/kecamatan?format=shapefile&crs=EPSG%3A32749');
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(await page.locator(`${sheet} .import-note`).innerText()).toContain('Masuk');
  });

  it('downloads in a tab of its own, where a refusal opens as a page for a person', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(server.baseUrl);
    await page.click('.import-sheet__open');
    const exportSection = page.locator(`${sheet} .import-section`).first();
    await exportSection.locator('select').nth(0).selectOption('kecamatan');
    // the new tab downloads the file and closes; Playwright reports the download on the opener
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportSection.locator('a.import-download').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^kecamatan.*\.geojson$/);
    // Exports that wait behind this lock hold every export connection, so the next is refused.
    const lock = new pg.Client({ connectionString: server.testDatabase.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE kecamatan IN ACCESS EXCLUSIVE MODE');
    const href = await exportSection.locator('a.import-download').getAttribute('href');
    const waiting = Array.from({ length: config.exportPoolSize }, () =>
      fetch(`${server.baseUrl}${href}`).then((r) => r.arrayBuffer()),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        exportSection.locator('a.import-download').click(),
      ]);
      await popup.waitForSelector('text=Kembali ke peta', { timeout: 20000 });

      expect(await popup.locator('p[lang=id]').innerText()).toBe(
        'Server sedang melayani unduhan lain. Coba lagi dalam setengah menit.',
      );
      expect(await page.locator(`${sheet} .import-section h3`).first().innerText()).toBe(
        'Ekspor lapisan',
      );
      await popup.close();
    } finally {
      await lock.query('ROLLBACK');
      await lock.end();
      await Promise.all(waiting);
      await page.close();
    }
  });

  it('words a rejected row and the outcome in the language of the interface', async () => {
    const square = (lon: number, lat: number, d = 0.002) => ({
      type: 'Polygon',
      coordinates: [
        [
          [lon - d, lat - d],
          [lon + d, lat - d],
          [lon + d, lat + d],
          [lon - d, lat + d],
          [lon - d, lat - d],
        ],
      ],
    });
    const desa = (name: string, code: string, type: string, [lon, lat]: number[]) => ({
      type: 'Feature',
      properties: { name, code, type },
      geometry: square(lon!, lat!),
    });
    const file = {
      name: 'desa-satu-salah.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            desa('Uji Benar', '33.01.97.2001', 'desa', [109.0153, -7.7266]),
            desa('Uji Salah', '33.01.97.2002', 'kota', [109.2456, -7.6329]),
          ],
        }),
      ),
    };
    await withEditorPage(async (page) => {
      const report = await importIntoDesa(page, file, 'all-or-nothing');
      const shown = async () => ({
        rejected: await report.locator('tbody tr').allInnerTexts(),
        notes: await report.locator('.import-note').allInnerTexts(),
      });

      const indonesian = await shown();
      await page.click('#lang-toggle');
      const english = await shown();

      expect(indonesian).toEqual({
        rejected: ['2\tJenis\tkota\tPilih salah satu nilai yang tersedia.'],
        notes: ['1 baris ditolak, jadi tidak ada yang ditulis (batalkan semuanya).'],
      });
      expect(english).toEqual({
        rejected: ['2\tType\tkota\tChoose one of the listed values.'],
        notes: ['1 row was rejected, so nothing was written (all or nothing).'],
      });
    });
  });

  it('counts rejected rows, not their problems, and names attributes by title', async () => {
    const squareWkt = (lon: number, lat: number, d = 0.002) => {
      const ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
      ];
      return `"POLYGON((${ring.map((point) => point.join(' ')).join(', ')}))"`;
    };
    const lines = [
      'name,code,type,wkt',
      `Uji Satu,33.01.97.3001,desa,${squareWkt(109.0153, -7.7266)}`,
      `Uji Dua,33.01.97.3002,desa,${squareWkt(109.2456, -7.6329)}`,
      `Uji Tiga,33.01.97.3003,kota,${squareWkt(109.1, -7.65)}`,
      // far outside the regency
      `Uji Empat,33.01.97.3004,desa,${squareWkt(112.5, -7.2)}`,
      // two problems: the type and the missing name
      `,33.01.97.3005,kota,${squareWkt(109.1, -7.66)}`,
    ];
    const file = {
      name: 'desa-tiga-salah.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${lines.join('\n')}\n`),
    };
    await withEditorPage(async (page) => {
      const report = await importIntoDesa(page, file, 'valid-only');
      const shown = async () => ({
        heading: await report.locator('h4').innerText(),
        fields: await report.locator('tbody tr td:nth-child(2)').allInnerTexts(),
      });

      const indonesian = await shown();
      await page.click('#lang-toggle');
      const english = await shown();

      const jobs = await page.evaluate(() => fetch('/imports?layerId=desa').then((r) => r.json()));
      expect(JSON.stringify(jobs)).toContain('"rowsRejected":3');
      expect(indonesian.heading).toBe('Baris yang ditolak (3)');
      expect(english.heading).toBe('Rejected rows (3)');
      expect([...indonesian.fields].sort()).toEqual(['Geometri', 'Jenis', 'Jenis', 'Nama']);
      expect([...english.fields].sort()).toEqual(['Geometry', 'Name', 'Type', 'Type']);
    });
  });

  it('offers no undo of an import that wrote nothing, every row rejected', async () => {
    const square = '"POLYGON((112.5 -7.2,112.502 -7.2,112.502 -7.198,112.5 -7.198,112.5 -7.2))"';
    const file = {
      name: 'desa-di-luar.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`name,code,type,wkt\nUji Luar,33.01.97.3101,desa,${square}\n`),
    };
    await withEditorPage(async (page) => {
      const report = await importIntoDesa(page, file, 'valid-only');

      expect(await report.locator('.import-status').innerText()).toContain('0 objek');
      expect(await report.getByRole('button', { name: 'Batalkan impor ini' }).count()).toBe(0);
    });
  });

  it('asks for the coordinate system of a Shapefile without .prj in either language', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      await page.setInputFiles(`${sheet} input[type=file]`, shapefileWithoutPrj);
      await page.click(`${sheet} button:has-text("Pratinjau")`);
      const error = page.locator(`${sheet} .import-error`);
      await error.waitFor();

      const indonesian = await error.innerText();
      await page.click('#lang-toggle');
      const english = await error.innerText();

      expect(indonesian).toBe(
        'Gagal: desa.shp tidak disertai berkas .prj, jadi sistem koordinatnya ' +
          'tidak diketahui. Isi sistem koordinat berkas, mis. EPSG:32749 untuk UTM zona 49S ' +
          'atau EPSG:4326 untuk bujur/lintang; Simpul tidak pernah menebaknya.',
      );
      expect(english).toBe(
        'Failed: desa.shp has no .prj file, so its coordinate system is unknown. ' +
          'Give the coordinate system of the file, e.g. EPSG:32749 for UTM zone 49S or ' +
          'EPSG:4326 for longitude/latitude; Simpul never guesses it.',
      );
    });
  });

  it('reads a CSV saved by Excel on Windows as Windows-1252, saying so', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      await sendExcelCsv(page);
      const encoding = page.locator(`${sheet} .import-field`, { hasText: 'Pengodean teks' });
      await encoding.locator('select').waitFor();
      await page.click(`${sheet} button:has-text("Pratinjau")`);
      await page.waitForSelector(`${sheet} .import-step table`);
      const notes = await page.locator(`${sheet} .import-note`).allInnerTexts();
      const codeRow = page.locator(`${sheet} .import-step tr`, { hasText: 'Kode Kemendagri' });
      await codeRow.locator('select').selectOption('Kode');
      await page.click(`${sheet} button:has-text("Mulai impor")`);
      await page.waitForSelector(`${sheet} .import-status--succeeded`, { timeout: 30000 });

      expect(notes.join('\n')).toContain('CSV bukan UTF-8: teks dibaca sebagai windows-1252');
      const rows = await server.testDatabase.database.pool.query(
        "SELECT name FROM desa WHERE code = '33.01.99.2901'",
      );
      expect(rows.rows).toEqual([{ name: 'Cibéurèum' }]);
    });
  });

  /** The sheet's error text in Indonesian, then in English after the language toggle. */
  async function errorInBothLanguages(page: Page) {
    const error = page.locator(`${sheet} .import-error`);
    await error.waitFor();
    const indonesian = await error.innerText();
    await page.click('#lang-toggle');
    await page.waitForSelector('html[lang=en]');
    return { indonesian, english: await error.innerText() };
  }

  it('says the server could not be reached, in the interface language', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      await page.context().setOffline(true);
      let said: { indonesian: string; english: string };
      try {
        await page.setInputFiles(`${sheet} input[type=file]`, shapefile);
        said = await errorInBothLanguages(page);
      } finally {
        await page.context().setOffline(false);
      }

      expect(said.indonesian).toBe('Gagal: tidak tersambung ke server; coba lagi nanti.');
      expect(said.english).toBe('Failed: no connection to the server; try again later.');
    });
  });

  it('shows a failure as an alert beside the button pressed on a long sheet', async () => {
    await withEditorPage(async (page) => {
      await page.setViewportSize({ width: 1280, height: 640 });
      await previewDesaShapefile(page);
      const start = page.locator(`${sheet} button:has-text("Mulai impor")`);
      await start.scrollIntoViewIfNeeded();

      await page.context().setOffline(true);
      try {
        await start.click();
        await page.locator(`${sheet} .import-error`).waitFor();
      } finally {
        await page.context().setOffline(false);
      }
      const alert = page.getByRole('alert');
      const shown = (await page.locator(`${sheet} .import-error`).boundingBox())!;
      const sheetBox = (await page.locator(sheet).boundingBox())!;
      const startBox = (await start.boundingBox())!;

      expect(shown.y).toBeGreaterThanOrEqual(sheetBox.y);
      expect(shown.y + shown.height).toBeLessThanOrEqual(sheetBox.y + sheetBox.height);
      expect(Math.abs(shown.y - startBox.y)).toBeLessThan(120);
      expect(await alert.count()).toBe(1);
      expect(await alert.innerText()).toBe('Gagal: tidak tersambung ke server; coba lagi nanti.');
    });
  });

  it('says the server failed when an upload is answered by a page, not a problem', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      // a proxy in front of the server answers its own HTML page, as nginx does for a 502
      await page.route('**/imports/uploads**', (route) =>
        route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad Gateway</h1>' }),
      );
      await page.setInputFiles(`${sheet} input[type=file]`, shapefile);
      const said = await errorInBothLanguages(page);

      const failed = 'server sedang bermasalah (HTTP 502); coba lagi nanti.';
      expect(said.indonesian).toBe(`Gagal: ${failed}`);
      expect(said.english).toBe('Failed: the server has a problem (HTTP 502); try again later.');
      expect(await page.locator(`${sheet} .import-progress`).count()).toBe(0);
    });
  });

  it('says a zip is damaged in the interface language', async () => {
    await withEditorPage(async (page) => {
      await page.click('.import-sheet__open');
      const damaged = {
        name: 'desa.zip',
        mimeType: 'application/zip',
        buffer: Buffer.from('PK\x03\x04 rusak'),
      };

      await page.setInputFiles(`${sheet} input[type=file]`, damaged);
      const { indonesian, english } = await errorInBothLanguages(page);

      expect(indonesian).toBe(
        'Gagal: Arsip zip rusak atau bukan arsip zip, sehingga tidak dapat dibuka. ' +
          'Buat ulang arsipnya lalu unggah lagi.',
      );
      expect(english).toBe(
        'Failed: The zip archive is damaged or not a zip archive, so it cannot be opened. ' +
          'Make the archive again and upload it again.',
      );
    });
  });

  it('names a zip entry it cannot read as text, never as markup, in either language', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await logIn(page);
    await page.click('.import-sheet__open');
    const entry = '<img src=x onerror="window.entryRan=1">.geojson';
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-sheet-zip-'));
    fs.writeFileSync(path.join(scratch, entry), '{"type":"FeatureCollection","features":[]}');
    await packZip([path.join(scratch, entry)], path.join(scratch, 'titik.zip'));
    const archive = fs.readFileSync(path.join(scratch, 'titik.zip'));
    // method 12 (bzip2), which the zip reader does not inflate
    archive.writeUInt16LE(12, archive.indexOf(Buffer.from('PK\x03\x04', 'latin1')) + 8);
    archive.writeUInt16LE(12, archive.indexOf(Buffer.from('PK\x01\x02', 'latin1')) + 10);
    const zip = { name: 'titik.zip', mimeType: 'application/zip', buffer: archive };

    try {
      await page.setInputFiles(`${sheet} input[type=file]`, zip);
      const { indonesian, english } = await errorInBothLanguages(page);

      expect(indonesian).toBe(
        `Gagal: ${entry} di dalam arsip zip tidak dapat dibaca (rusak, atau dikemas dengan ` +
          'kompresi atau sandi yang tidak dikenal). Buat ulang arsipnya dengan kompresi biasa ' +
          'lalu unggah lagi.',
      );
      expect(english).toBe(
        `Failed: ${entry} in the zip archive cannot be read (damaged, or packed with a ` +
          'compression or encryption not known here). Make the archive again with ordinary ' +
          'compression and upload it again.',
      );
      expect(await page.locator(`${sheet} img`).count()).toBe(0);
      expect(await page.evaluate(() => (window as { entryRan?: number }).entryRan)).toBeUndefined();
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  });

  it('quotes the first of many columns and counts the rest, in either language', async () => {
    await withEditorPage(async (page) => {
      await openSheetForDesa(page);
      const header = Array.from({ length: 80 }, (_, i) => `kolom_${i}`).join(';');
      const wide = { name: 'lebar.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n`) };

      await page.setInputFiles(`${sheet} input[type=file]`, wide);
      await page.click(`${sheet} button:has-text("Pratinjau")`);
      const { indonesian, english } = await errorInBothLanguages(page);

      expect(indonesian).toContain('kolom_0, kolom_1,');
      expect(indonesian).toContain('kolom_8, kolom_9, … (+70)');
      expect(indonesian).not.toContain('kolom_10');
      expect(english).toContain('kolom_9, … (+70)');
    });
  });

  it('words a refusal whose file name holds braces in the interface language', async () => {
    await withEditorPage(async (page) => {
      await page.click('.import-sheet__open');
      const notes = { name: 'rekap{2024}.dat', mimeType: 'text/plain', buffer: Buffer.from('x') };

      await page.setInputFiles(`${sheet} input[type=file]`, notes);
      const { indonesian, english } = await errorInBothLanguages(page);

      expect(indonesian).toMatch(/^Gagal: rekap\{2024\}\.dat bukan format yang dapat dibaca/);
      expect(english).toMatch(
        /^Failed: rekap\{2024\}\.dat is not a format Simpul reads\. Send one/,
      );
    });
  });

  it('names a field mapped but missing from the file in the interface language', async () => {
    await withEditorPage(async (page) => {
      await previewDesaShapefile(page);
      // The sheet offers only the file's fields; a mapping from an older preview or another
      // client can still name one the file lacks.
      await page.route('**/imports/preview', (route) => {
        const body = route.request().postDataJSON() as { mapping?: Record<string, unknown> };
        const postData = JSON.stringify({ ...body, mapping: { ...body.mapping, code: 'KODE_DS' } });
        return route.continue({ postData });
      });

      await page.click(`${sheet} button:has-text("Pratinjau")`);
      const { indonesian, english } = await errorInBothLanguages(page);

      const [id, idFields] = indonesian.split('; kolomnya: ');
      const [en, enFields] = english.split('; its fields: ');
      expect(id).toBe('Gagal: Berkas tidak punya kolom "KODE_DS" (dipetakan ke Kode Kemendagri)');
      expect(en).toBe('Failed: The file has no field "KODE_DS" (mapped to Kemendagri code)');
      expect(idFields).toMatch(/\bKODE\b.*\.$/);
      expect(enFields).toBe(idFields);
    });
  });

  it('keeps the chosen export layer, format and CRS when the language switches', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(server.baseUrl);
    await page.click('.import-sheet__open');
    const exportSection = page.locator(`${sheet} .import-section`).first();
    await exportSection.locator('select').nth(0).selectOption('kecamatan');
    await exportSection.locator('select').nth(1).selectOption('geopackage');
    await exportSection.locator('select').nth(2).selectOption('EPSG:32749');
    const shown = () =>
      exportSection.evaluate((section) => ({
        heading: section.querySelector('h3')!.textContent,
        choices: [...section.querySelectorAll('select')].map((s) => s.value),
        href: section.querySelector('a.import-download')!.getAttribute('href'),
      }));

    try {
      await page.click('#lang-toggle');
      const english = await shown();
      await page.click('#lang-toggle');
      const indonesian = await shown();

      const chosen = {
        choices: ['kecamatan', 'geopackage', 'EPSG:32749'],
        href: '/exports/kecamatan?format=geopackage&crs=EPSG%3A32749',
      };
      expect(english).toEqual({ heading: 'Export a layer', ...chosen });
      expect(indonesian).toEqual({ heading: 'Ekspor lapisan', ...chosen });
    } finally {
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  });
});
