import { describe, expect, it } from 'vitest';
import { listeningUrl } from '../../server/listen-address.js';

describe('the address the listening line gives', () => {
  it.each([
    ['127.0.0.1', 3000, 'http://127.0.0.1:3000'],
    ['localhost', 8080, 'http://localhost:8080'],
    ['::1', 3000, 'http://[::1]:3000'],
    ['::', 3001, 'http://[::]:3001'],
  ])('is a URL a client can open for HOST %s', (host, port, url) => {
    const given = listeningUrl(host, port);

    expect(given).toBe(url);
    expect(new URL(given).port).toBe(String(port));
  });
});
