import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../../support/app-server.js';

describe('links behind a proxy that TRUSTED_PROXIES does not name', () => {
  let server: TestServer;
  beforeAll(async () => {
    vi.stubEnv('TRUSTED_PROXIES', '10.20.0.0/16, 192.168.1.7');
    // The configuration is read once at import: load the app after the variable is set.
    vi.resetModules();
    const { startTestServer } = await import('../../support/app-server.js');
    server = await startTestServer();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.close();
  });

  it('ignore X-Forwarded-Host and X-Forwarded-Proto from any other address', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, {
      headers: {
        accept: 'application/json',
        'x-forwarded-host': 'peta.example.go.id',
        'x-forwarded-proto': 'https',
      },
    });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body.links[0].href).toBe(`${server.baseUrl}/collections`);
  });
});
