import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import {
  addPointsFailingFilterLate,
  filterFailingLate,
  setSortForNewConnections,
} from '../../support/late-failing-filter.js';

/** What a client receives of a download: the status, the bytes, and how the body ended. */
function download(url: string) {
  return new Promise<{ status?: number; bytes: number; ending: string; type?: string }>(
    (resolve, reject) => {
      const request = http.get(url, { agent: false }, (response) => {
        let bytes = 0;
        const ended = (ending: string) =>
          resolve({
            status: response.statusCode,
            bytes,
            ending,
            type: response.headers['content-type'],
          });
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => ended(response.complete ? 'complete' : 'cut'));
        response.on('error', (error) => ended(`cut: ${error.message}`));
      });
      request.on('error', reject);
    },
  );
}

describe('exports whose filter fails on a later row', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await addPointsFailingFilterLate(server.testDatabase.database.pool);
  });
  afterAll(async () => {
    await setSortForNewConnections(server.testDatabase.database.pool, 'on');
    await server.close();
  });

  const exportUrl = (format: string) =>
    `${server.baseUrl}/exports/evacuation_point?format=${format}` +
    `&filter=${encodeURIComponent(filterFailingLate)}`;

  it.each(['geojson', 'geojsonseq', 'csv', 'fgb'])(
    'cuts a %s download begun with 200, so the client sees it incomplete',
    async (format) => {
      const answer = await download(exportUrl(format));

      expect(answer.status).toBe(200);
      expect(answer.bytes).toBeGreaterThan(100000);
      expect(answer.ending).toMatch(/^cut/);
    },
  );

  it.each(['shp', 'gpkg'])(
    'answers a %s export, sent only once whole, with the 400 of the filter',
    async (format) => {
      const response = await fetch(exportUrl(format));

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(await response.json()).toMatchObject({
        type: '/problems/invalid-filter-value',
        detail: 'The filter computes a division by zero.',
      });
    },
  );
});
