import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

// A largest page of 5 features, read once when the configuration is first imported; put back
// afterwards, as the next test file of this worker reads it again.
const previous = vi.hoisted(() => {
  const saved = process.env.ITEMS_MAX_LIMIT;
  process.env.ITEMS_MAX_LIMIT = '5';
  return saved;
});

interface Page {
  features: { id: number }[];
  numberMatched: number;
  numberReturned: number;
  links: { rel: string; href: string }[];
}

describe('a limit above the largest page', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    if (previous === undefined) delete process.env.ITEMS_MAX_LIMIT;
    else process.env.ITEMS_MAX_LIMIT = previous;
  });

  const page = async (href: string) => {
    const response = await fetch(href, { headers: { accept: 'application/geo+json' } });
    return { status: response.status, body: (await response.json()) as Page };
  };

  it('is answered with the largest page, whose links page on by it', async () => {
    const first = await page(`${server.baseUrl}/collections/kecamatan/items?limit=50000`);

    expect(first.status).toBe(200);
    expect(first.body.numberReturned).toBe(5);
    expect(first.body.numberMatched).toBe(24);
    const next = first.body.links.find((l) => l.rel === 'next')!;
    expect(new URL(next.href).searchParams.get('limit')).toBe('5');
    const self = first.body.links.find((l) => l.rel === 'self')!;
    expect(new URL(self.href).searchParams.get('limit')).toBe('5');

    const second = await page(next.href);
    expect(second.body.numberReturned).toBe(5);
    const ids = new Set([...first.body.features, ...second.body.features].map((f) => f.id));
    expect(ids.size).toBe(10);
  });

  it('is answered with the largest page whatever the number of digits', async () => {
    for (const limit of ['9999999999999999', '99999999999999999999', `1${'0'.repeat(400)}`]) {
      const url = `${server.baseUrl}/collections/kecamatan/items?limit=${limit}`;
      const { status, body } = await page(url);
      expect(status, limit).toBe(200);
      expect(body.numberReturned, limit).toBe(5);
    }
  });

  it('still refuses a limit that is no whole number from 1', async () => {
    for (const limit of ['0', '-1', 'abc', '1e5', '00']) {
      const response = await fetch(`${server.baseUrl}/collections/kecamatan/items?limit=${limit}`);
      expect(response.status, limit).toBe(400);
      expect(((await response.json()) as { type: string }).type).toContain('invalid-limit');
    }
  });
});
