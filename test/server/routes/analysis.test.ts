import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint = [109.2239, -7.6301];

const parcelInKroya = {
  type: 'Polygon',
  coordinates: [
    [
      [109.22, -7.633],
      [109.227, -7.633],
      [109.227, -7.627],
      [109.22, -7.627],
      [109.22, -7.633],
    ],
  ],
};

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(() => server?.close());

function post(path: string, body: unknown, type = 'application/json') {
  return fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the analysis API', () => {
  it('answers the plan information of a clicked point with its kecamatan', async () => {
    const [lon, lat] = kroyaInnerPoint;

    const response = await fetch(
      `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}`,
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.json();
    expect(body.location.kecamatan.map((k: { name: string }) => k.name)).toEqual(['Kroya']);
    expect(body.place.geometryType).toBe('Point');
  });

  it('refuses a parcel whose body is not UTF-8, where its text was read as U+FFFD', async () => {
    const feature = {
      type: 'Feature',
      properties: { nama: 'Sawah \u00e9' },
      geometry: parcelInKroya,
    };
    const latin1 = Buffer.from(JSON.stringify(feature), 'latin1');

    const response = await fetch(`${server.baseUrl}/analysis/plan-information`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json' },
      body: latin1,
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json()).type).toBe('/problems/body-not-utf8');
  });

  it('answers a posted parcel with zone shares that add up to the whole parcel', async () => {
    const response = await post('/analysis/plan-information', { geometry: parcelInKroya });

    const body = await response.json();
    const shares = body.zones.reduce((sum: number, z: { share: number }) => sum + z.share, 0);
    expect(response.status).toBe(200);
    expect(shares + body.outsideZonesShare).toBeCloseTo(1, 3);
  });

  it('accepts a bare GeoJSON Feature as the body', async () => {
    const feature = { type: 'Feature', properties: {}, geometry: parcelInKroya };

    const response = await post('/analysis/plan-information', feature, 'application/geo+json');

    expect(response.status).toBe(200);
  });

  it('answers 415 naming the type to a parcel sent as other than JSON', async () => {
    const body = JSON.stringify({ geometry: parcelInKroya });

    const answers = await Promise.all(
      ['text/plain', 'application/x-www-form-urlencoded'].map(async (type) => {
        const response = await post('/analysis/plan-information', body, type);
        return [response.status, (await response.json()).detail];
      }),
    );

    expect(answers).toEqual([
      [415, 'Send the place as application/json or application/geo+json; got text/plain.'],
      [
        415,
        'Send the place as application/json or application/geo+json; ' +
          'got application/x-www-form-urlencoded.',
      ],
    ]);
  });

  it('refuses a place in projected metres with a problem saying to reproject', async () => {
    const utm = { type: 'Point', coordinates: [305000, 9155000] };

    const response = await post('/analysis/plan-information', { geometry: utm });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await response.json();
    expect(problem.type).toBe('/problems/invalid-place');
    expect(problem.detail).toMatch(/EPSG:4326/);
  });

  it('refuses a polygon whose ring has two positions as an invalid place', async () => {
    const ring = parcelInKroya.coordinates[0]!.slice(0, 2);
    const twoPoints = { type: 'Polygon', coordinates: [ring] };

    const response = await post('/analysis/plan-information', { geometry: twoPoints });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json()).type).toBe('/problems/invalid-place');
  });

  it('refuses a place in metres named by a legacy crs member, asking lon and lat', async () => {
    const crs = { type: 'name', properties: { name: 'EPSG:32749' } };
    const body = { type: 'Feature', properties: {}, crs, geometry: parcelInKroya };

    const response = await post('/analysis/plan-information', body, 'application/geo+json');

    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.type).toBe('/problems/invalid-place');
    expect(problem.detail).toContain('must be longitude and latitude in WGS 84');
  });

  it('refuses a geometry sent beside a crs other than WGS 84, takes one naming it', async () => {
    const inMetres = { geometry: parcelInKroya, crs: 'EPSG:32749' };
    const inDegrees = {
      geometry: parcelInKroya,
      crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
    };

    const refused = await post('/analysis/plan-information', inMetres);
    const taken = await post('/analysis/plan-information', inDegrees);

    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = await refused.json();
    expect(problem.type).toBe('/problems/invalid-place');
    expect(problem.detail).toMatch(/^The place names the coordinate system EPSG:32749; /);
    expect(taken.status).toBe(200);
  });

  it('takes a place whose crs is null, as the edit API does, reading it as WGS 84', async () => {
    const nullCrs = { geometry: parcelInKroya, crs: null };
    const beside = await post('/analysis/plan-information', nullCrs);
    const feature = { type: 'Feature', crs: null, properties: {}, geometry: parcelInKroya };
    const legacy = await post('/analysis/plan-information', feature, 'application/geo+json');

    expect([beside.status, legacy.status]).toEqual([200, 200]);
    const kecamatan = (await beside.json()).location.kecamatan;
    expect(kecamatan.map((k: { name: string }) => k.name)).toEqual(['Kroya']);
  });

  it('says with Vary that every answer chosen by Accept depends on it', async () => {
    const [lon, lat] = kroyaInnerPoint;
    const paths = [
      `/analysis/plan-information?lon=${lon}&lat=${lat}`,
      '/analysis/road-condition',
      '/analysis/hazard-exposure',
      '/',
      '/collections',
      '/collections/kecamatan',
      '/conformance',
      '/api',
      '/collections/kecamatan/queryables',
      '/collections/kecamatan/items?limit=1',
    ];

    for (const path of paths) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        headers: { accept: 'application/json' },
      });
      await response.arrayBuffer();
      expect(response.status, path).toBe(200);
      expect(response.headers.get('vary') ?? '', path).toContain('Accept');
    }
  });

  it('refuses an invalid place too large to repair, which crashed the database', async () => {
    // a star of 1,501 vertices whose ring crosses itself at every edge, around Kroya
    const [lon, lat] = kroyaInnerPoint as [number, number];
    const count = 1501;
    const ring = Array.from({ length: count }, (_, i) => {
      const angle = (2 * Math.PI * ((i * 750) % count)) / count;
      return [lon + 0.005 * Math.cos(angle), lat + 0.005 * Math.sin(angle)];
    });
    const star = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [lon, lat],
          [lon + 0.002, lat + 0.002],
          [lon + 0.002, lat],
          [lon, lat + 0.002],
          [lon, lat],
        ],
      ],
    };

    const started = Date.now();
    const refused = await post('/analysis/plan-information', { geometry: star });
    const elapsedMs = Date.now() - started;
    const repaired = await post('/analysis/plan-information', { geometry: bowtie });
    // five overlapping squares: repaired, they touched along lines an overlay refused (a 500)
    const squares = Array.from({ length: 5 }, (_, i) => [
      [
        [lon + i * 1e-6, lat],
        [lon + 0.001 + i * 1e-6, lat],
        [lon + 0.001 + i * 1e-6, lat - 0.001],
        [lon + i * 1e-6, lat],
      ],
    ]);
    const overlapping = { type: 'MultiPolygon', coordinates: squares };
    const stacked = await post('/analysis/plan-information', { geometry: overlapping });
    const one = await post('/analysis/plan-information', {
      geometry: { type: 'Polygon', coordinates: squares[0] },
    });
    // 30 overlapping triangles, 120 vertices: more than are repaired
    const many = { type: 'MultiPolygon', coordinates: Array(6).fill(squares).flat() };
    const tooMany = await post('/analysis/plan-information', { geometry: many });
    // a star of 99 points crossing itself at each: repaired, under a second by structure
    const small = Array.from({ length: 99 }, (_, i) => {
      const angle = (2 * Math.PI * ((i * 49) % 99)) / 99;
      return [lon + 0.005 * Math.cos(angle), lat + 0.005 * Math.sin(angle)];
    });
    const smallStar = { type: 'Polygon', coordinates: [[...small, small[0]]] };
    const repairedStar = await post('/analysis/plan-information', { geometry: smallStar });

    expect(refused.status).toBe(422);
    const problem = await refused.json();
    expect(problem.type).toBe('/problems/invalid-place-geometry');
    expect(problem.detail).toContain('Self-intersection');
    expect(elapsedMs).toBeLessThan(5000);
    expect(repaired.status).toBe(200);
    expect((await repaired.json()).place.areaHa).toBeGreaterThan(0);
    expect(stacked.status).toBe(200);
    const stackedPlace = (await stacked.json()).place;
    expect(stackedPlace.geometryType).toMatch(/Polygon$/);
    // their union, where the default repair kept only where an odd number of them overlap
    const oneArea = (await one.json()).place.areaHa;
    expect(stackedPlace.areaHa).toBeGreaterThan(oneArea);
    expect(stackedPlace.areaHa).toBeLessThan(oneArea * 1.05);
    expect(tooMany.status).toBe(422);
    expect(repairedStar.status).toBe(200);
    expect((await repairedStar.json()).place.areaHa).toBeGreaterThan(0);
  });

  it('refuses a parcel whose corners lie on one line, saying it has no area', async () => {
    const [lon, lat] = kroyaInnerPoint as [number, number];
    // what a map drawing left of a parcel whose two corners landed beside the map
    const ring = [
      [lon, lat],
      [lon, lat - 0.01],
      [lon, lat],
      [lon, lat],
    ];
    const answer = await post('/analysis/plan-information', {
      geometry: { type: 'Polygon', coordinates: [ring] },
    });

    expect(answer.status).toBe(422);
    const problem = await answer.json();
    expect(problem.type).toBe('/problems/place-without-area');
    expect(problem.detail).toContain('no area');
  });

  it('refuses a place too large for the ellipsoid, which failed or measured 0 ha', async () => {
    // the world (its edges 180 degrees long failed the area: a 500), and a band round it,
    // whose area on the ellipsoid read as 0 ha
    const world = [
      [-180, -90],
      [180, -90],
      [180, 90],
      [-180, 90],
      [-180, -90],
    ];
    const band = [
      [-180, -80],
      [0, -80],
      [180, -80],
      [180, 80],
      [0, 80],
      [-180, 80],
      [-180, -80],
    ];
    for (const ring of [world, band]) {
      const answer = await post('/analysis/plan-information', {
        geometry: { type: 'Polygon', coordinates: [ring] },
      });

      expect(answer.status).toBe(400);
      const problem = await answer.json();
      expect(problem.type).toBe('/problems/invalid-place');
      expect(problem.detail).toMatch(/^A place may span at most 10 degrees/);
    }
  });

  it('refuses a place wholly outside the regency, as data and as the printable page', async () => {
    // a point in the Flores Sea, far from Cilacap
    const answers = [
      await fetch(`${server.baseUrl}/analysis/plan-information?lon=120&lat=-7.6`),
      await fetch(`${server.baseUrl}/analysis/plan-information?lon=120&lat=-7.6&f=html`),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([422, 422]);
    expect((await answers[0]!.json()).type).toBe('/problems/place-outside-regency');
    const page = await answers[1]!.text();
    expect(page).toContain('Tempat ini berada di luar wilayah kabupaten');
    expect(page).not.toContain('Informasi Tata Ruang');
  });

  it('refuses a clicked point without coordinates', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/plan-information?lon=109`);

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toMatch(/lon and lat/);
  });

  it('serves the printable page as HTML that holds the map and the zones', async () => {
    const [lon, lat] = kroyaInnerPoint;

    const response = await fetch(
      `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}&f=html`,
    );

    const html = await response.text();
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Informasi Tata Ruang');
    expect(html).toContain('<svg class="map__svg"');
    expect(html).toContain('Kroya');
  });

  it('refuses an unknown format, naming those it serves', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/road-condition?f=xlsx`);

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain('json, csv');
  });

  it('refuses a parameter an analysis does not take, naming those it takes', async () => {
    const roads = `${server.baseUrl}/analysis/road-condition`;
    const byKecamatan = await fetch(`${roads}?kecamatan=33.01.06`);
    const [lon, lat] = kroyaInnerPoint;
    const withCrs = `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}&crs=x`;
    const plan = await fetch(withCrs);

    expect(byKecamatan.status).toBe(400);
    expect((await byKecamatan.json()).detail).toBe(
      'Unknown query parameter "kecamatan". This request takes status, f.',
    );
    expect(plan.status).toBe(400);
    expect((await plan.json()).detail).toContain('This request takes lon, lat, activity, f.');
  });

  it('answers 406 to an Accept header naming no format a report is served in', async () => {
    const roads = `${server.baseUrl}/analysis/road-condition`;

    const image = await fetch(roads, { headers: { accept: 'image/png' } });
    const csv = await fetch(roads, { headers: { accept: 'text/csv' } });

    expect(image.status).toBe(406);
    expect(image.headers.get('content-type')).toContain('application/problem+json');
    expect((await image.json()).available).toEqual(['application/json', 'text/csv']);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
  });

  it('refuses a format the list of activities is not served in', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/plan-activities?f=csv`);

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toBe('f must be one of json; got "csv".');
  });

  it('exports the road condition table as CSV with a header row', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/road-condition?f=csv`);

    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain('road-condition-');
    expect(text.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(
      /^year,kecamatan_code,kecamatan_name,total_km,km_baik,/,
    );
  });

  it('marks a CSV from sample data in its file name and its sample_data column', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/road-condition?f=csv`);

    const [header, ...rows] = parse((await response.text()).replace(/^\uFEFF/, '')) as string[][];
    const column = header!.indexOf('sample_data');
    expect(response.headers.get('content-disposition')).toMatch(/road-condition-data-contoh-/);
    expect(column).toBe(header!.length - 1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row[column]).toMatch(/^CONTOH: .* SAMPLE: /);
  });

  it('answers hazard exposure with the method and a 400 for a year without figures', async () => {
    const ok = await fetch(`${server.baseUrl}/analysis/hazard-exposure`);
    const bad = await fetch(`${server.baseUrl}/analysis/hazard-exposure?year=1990`);

    expect(ok.status).toBe(200);
    expect((await ok.json()).method.en).toContain('share of the desa area');
    expect(bad.status).toBe(400);
    expect((await bad.json()).type).toBe('/problems/invalid-year');
  }, 120000);

  it.each(['abc', '0x7e4', '2020.0', ' 2020'])(
    'answers hazard exposure for year "%s" with a 400 saying a year is four digits',
    async (year) => {
      const query = new URLSearchParams({ year });
      const response = await fetch(`${server.baseUrl}/analysis/hazard-exposure?${query}`);

      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.type).toBe('/problems/invalid-year');
      expect(body.detail).toContain('year is a four-digit year');
    },
    120000,
  );

  it('answers irrigation condition per irrigation area', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/irrigation-condition`);

    expect(response.status).toBe(200);
    expect(Array.isArray((await response.json()).areas)).toBe(true);
  });

  it('documents the analyses in the OpenAPI document', async () => {
    const response = await fetch(`${server.baseUrl}/api`, {
      headers: { Accept: 'application/vnd.oai.openapi+json;version=3.0' },
    });

    const paths = Object.keys((await response.json()).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/analysis/plan-information',
        '/analysis/hazard-exposure',
        '/analysis/road-condition',
        '/analysis/irrigation-condition',
      ]),
    );
  });
});
