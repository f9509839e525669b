/**
 * The one comparison of `If-None-Match` with a response's entity tags. Express answers 304 for
 * `res.send` through the same library (`req.fresh`), so features, TileJSON and every other
 * Express answer compare tags as the tile shortcut does. One difference: `req.fresh` also
 * answers 200 to a request saying `Cache-Control: no-cache`, where tiles still answer 304 (the
 * origin server may: the client has the current bytes either way).
 */
import fresh from 'fresh';

/**
 * Whether `If-None-Match` names one of the current representation's ETags, by the weak
 * comparison of RFC 9110 section 13.1.2: `W/"a"` matches `"a"`, `*` matches any current
 * representation, and an unquoted or otherwise malformed tag matches nothing, so it never
 * earns a 304. `etags` are the quoted tags the representation may carry (a tile sent raw or
 * gzipped decodes to the same bytes, so either of its tags matches).
 */
export function matchesIfNoneMatch(header: string | undefined, etags: readonly string[]): boolean {
  if (!header) return false;
  return etags.some((etag) => fresh({ 'if-none-match': header }, { etag }));
}
