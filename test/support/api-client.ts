/** An answer of the API: the response, and its body parsed as JSON (undefined when empty). */
export interface ApiAnswer {
  response: Response;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * A sender of GeoJSON requests to a test server with a bearer token: `send(method, path, body,
 * etag)`, the ETag going out as `If-Match`. `headers` are added to every request.
 */
export function apiSender(
  baseUrl: () => string,
  token: () => string,
  headers: Record<string, string> = {},
) {
  return async (method: string, path: string, body?: unknown, etag?: string) => {
    const sent: Record<string, string> = {
      authorization: `Bearer ${token()}`,
      'content-type': 'application/geo+json',
      ...headers,
    };
    if (etag) sent['if-match'] = etag;
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { response, body: text ? JSON.parse(text) : undefined } as ApiAnswer;
  };
}
