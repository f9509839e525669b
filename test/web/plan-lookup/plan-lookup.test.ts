import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];

/** 275 mm of printable A4 height in CSS pixels (96 per inch). */
const printableHeightPx = 1039;

let server: TestServer;
let launched: TestBrowser;
let browser: BrowserContext;

beforeAll(async () => {
  server = await startTestServer();

  launched = await launchBrowser({ width: 1280, height: 800 });
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await server?.close();
});

async function openMapAt(page: Page, lonLat: [number, number]) {
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
  await page.evaluate(([x, y]) => {
    window.__simpulMap?.getView().setCenter([x, y]);
    window.__simpulMap?.getView().setZoom(13);
  }, toWebMercator(lonLat));
}

describe('the printable plan information', () => {
  it('renders in the browser on one A4 page with its map and zone table', async () => {
    const page = await browser.newPage();
    const [lon, lat] = kroyaInnerPoint;

    await page.goto(
      `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}&activity=perumahan&f=html`,
    );
    await page.emulateMedia({ media: 'print' });
    const height = await page.evaluate(() => {
      (window as unknown as { fitToOnePage: () => void }).fitToOnePage();
      const sheet = document.querySelector<HTMLElement>('.page')!;
      return sheet.getBoundingClientRect().height * Number(sheet.style.zoom || 1);
    });

    expect(await page.locator('h1').textContent()).toBe('Informasi Tata Ruang');
    expect(await page.locator('.map__svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('.answer .rule').textContent()).toMatch(/^[ITBX]$/);
    expect(height).toBeLessThanOrEqual(printableHeightPx + 1);
    await page.close();
  });

  it('downloads as a one-page PDF', async () => {
    const [lon, lat] = kroyaInnerPoint;

    const response = await fetch(
      `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}&f=pdf`,
    );

    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
  });
});

describe('the Informasi Tata Ruang tool of the web map', () => {
  it('answers a clicked point with its zone and the activity rule', async () => {
    const page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await openMapAt(page, kroyaInnerPoint);

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-activity option[value="perumahan"]').waitFor({ state: 'attached' });
    await page.locator('.plan-activity').selectOption('perumahan');
    const box = (await page.locator('#map').boundingBox())!;
    // The map is centred on the point: click the centre of the map element.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.plan-result').waitFor({ timeout: 15000 });

    expect(await page.locator('.plan-facts dd').first().textContent()).toContain('Kroya');
    expect(await page.locator('.plan-table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('.plan-answer .plan-rule').textContent()).toMatch(/^[ITBX]$/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('names a clicked point as the place, not a parcel area, in either language', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
    await openMapAt(page, kroyaInnerPoint);
    const readFacts = () =>
      page
        .locator('.plan-facts dt')
        .evaluateAll((terms) =>
          terms.map((term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`),
        );

    await page.locator('.plan-lookup__open').click();
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    const indonesian = await readFacts();
    await page.click('#lang-toggle');
    await page.waitForSelector('html[lang=en]');
    const english = await readFacts();
    await page.evaluate(() => localStorage.removeItem('simpul.language'));

    expect(indonesian.slice(1)).toEqual(['Tempat: titik yang diklik']);
    expect(english.slice(1)).toEqual(['Place: clicked point']);
    await page.close();
  });

  it('says a point clicked outside the regency lies outside it, in either language', async () => {
    const page = await browser.newPage();
    // the Indian Ocean south of Nusakambangan
    await openMapAt(page, [109.0, -7.9]);

    await page.locator('.plan-lookup__open').click();
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const status = page.locator('.plan-status--outsideRegency');
    await status.waitFor({ timeout: 15000 });
    const indonesian = await status.innerText();
    await page.click('#lang-toggle');
    await page.waitForSelector('html[lang=en]');
    const english = await page.locator('.plan-status--outsideRegency').innerText();

    expect(indonesian).toBe(
      'Tempat ini berada di luar wilayah kabupaten; rencana tata ruangnya tidak mencakupnya.',
    );
    expect(english).toBe(
      'This place lies outside the regency; its spatial plan does not cover it.',
    );
    await page.evaluate(() => localStorage.removeItem('simpul.language'));
    await page.close();
  });

  it('answers a drawn parcel without opening the popup of what its corners touch', async () => {
    const page = await browser.newPage();
    await openMapAt(page, kroyaInnerPoint);
    const box = (await page.locator('#map').boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    // within the map the sheet leaves in view: the sheet covers the map's right from 56 px
    // right of its centre, where corners 60 px right had landed on the sheet
    const corners = [
      [x - 40, y - 40],
      [x + 30, y - 40],
      [x + 30, y + 40],
      [x - 40, y + 40],
    ] as const;

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(1).click();
    const sheet = (await page.locator('.plan-lookup').boundingBox())!;
    expect(Math.max(...corners.map(([cornerX]) => cornerX))).toBeLessThan(sheet.x);
    for (const [cornerX, cornerY] of corners) {
      await page.mouse.click(cornerX, cornerY);
      // past the map's wait for a second click: each corner is a single click of its own
      await page.waitForTimeout(400);
    }
    await page.mouse.dblclick(corners[0][0], corners[0][1]);
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    await page.waitForTimeout(400);

    expect(await page.locator('.plan-facts dd').first().textContent()).toContain('Kroya');
    expect(await page.locator('#identify-popup').isVisible()).toBe(false);
    await page.close();
  });

  it('says a parcel drawn on one line has no area, in the interface language', async () => {
    const page = await browser.newPage();
    await openMapAt(page, kroyaInnerPoint);
    const box = (await page.locator('#map').boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(1).click();
    for (const cornerY of [y - 40, y + 40]) {
      await page.mouse.click(x - 40, cornerY);
      await page.waitForTimeout(400);
    }
    await page.mouse.dblclick(x - 40, y - 40);
    const status = page.locator('.plan-status--withoutArea');
    await status.waitFor({ timeout: 15000 });

    expect(await status.innerText()).toBe(
      'Persil ini tidak memiliki luas: sudut-sudutnya segaris atau berulang. Gambar ulang ' +
        'dengan paling sedikit tiga sudut yang berjauhan.',
    );
    await page.close();
  });

  it('says a parcel crossing itself too often is not repaired, in two languages', async () => {
    const page = await browser.newPage();
    await openMapAt(page, kroyaInnerPoint);
    // a star of 151 corners whose ring crosses itself at every edge: more than are repaired
    const [lon, lat] = kroyaInnerPoint as [number, number];
    const ring = Array.from({ length: 151 }, (_, i) => {
      const angle = (2 * Math.PI * ((i * 75) % 151)) / 151;
      return [lon + 0.002 * Math.cos(angle), lat + 0.002 * Math.sin(angle)];
    });
    const star = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(2).click();
    await page.locator('.plan-lookup input[type=file]').setInputFiles({
      name: 'persil.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(star)),
    });
    const status = page.locator('.plan-status--unrepairable');
    await status.waitFor({ timeout: 15000 });
    const indonesian = await status.innerText();
    await page.locator('#lang-toggle').click();
    const english = await page.locator('.plan-status--unrepairable').innerText();

    expect(indonesian).toBe(
      'Persil ini memotong dirinya sendiri dan memiliki terlalu banyak titik sudut untuk ' +
        'diperbaiki di sini. Perbaiki bentuknya di aplikasi GIS, lalu kirim lagi.',
    );
    expect(english).toMatch(/^The parcel crosses itself and has too many corners/);
    await page.close();
  });

  it('labels its parcel file picker in the interface language, by keyboard too', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
    await openMapAt(page, kroyaInnerPoint);
    const [lon, lat] = kroyaInnerPoint;
    const square = [
      [lon - 0.001, lat - 0.001],
      [lon + 0.001, lat - 0.001],
      [lon + 0.001, lat + 0.001],
      [lon - 0.001, lat + 0.001],
      [lon - 0.001, lat - 0.001],
    ];
    const parcel = { type: 'Polygon', coordinates: [square] };
    const picker = page.locator('.plan-lookup .file-picker');

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(2).click();
    const emptyPicker = await picker.innerText({ timeout: 5000 });
    // from the mode just pressed, Tab reaches the picker, named by the hint above it
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('type'));
    const named = await page.getByLabel('Pilih berkas GeoJSON persil', { exact: false }).count();
    const opened = page.waitForEvent('filechooser');
    await page.keyboard.press('Space');
    await (
      await opened
    ).setFiles({
      name: 'persil.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(parcel)),
    });
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    const chosenPicker = await picker.innerText();
    const stillFocused = await page.evaluate(() => document.activeElement?.getAttribute('type'));
    await page.click('#lang-toggle');
    await page.waitForSelector('html[lang=en]');
    const englishPicker = await picker.innerText();
    await page.evaluate(() => localStorage.removeItem('simpul.language'));

    expect(emptyPicker.replace(/\s+/g, ' ')).toBe('Pilih berkas… Belum ada berkas dipilih');
    expect(chosenPicker.replace(/\s+/g, ' ')).toBe('Pilih berkas… persil.geojson');
    expect(englishPicker.replace(/\s+/g, ' ')).toBe('Choose a file… persil.geojson');
    expect(focused).toBe('file');
    expect(stillFocused).toBe('file');
    expect(named).toBe(1);
    await page.close();
  });

  // The first exposure answer overlays every hazard zone with every desa: seconds, not less.
  it('opens the dashboard with the exposure chart and a CSV link', async () => {
    const page = await browser.newPage();
    await openMapAt(page, kroyaInnerPoint);

    await page.locator('.dashboard__open').click();
    await page.locator('.dashboard__chart canvas').waitFor({ timeout: 60000 });

    expect(await page.locator('.dashboard__csv').getAttribute('href')).toBe(
      '/analysis/hazard-exposure?f=csv',
    );
    expect(await page.locator('.dashboard__table tbody tr').count()).toBeGreaterThan(0);
    await page.close();
  }, 120000);
});
