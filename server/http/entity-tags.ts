/**
 * The one comparison of `If-None-Match` with a response's entity tags. Express answers 304 for
 * `res.send` through the same library (`req.fresh`), so features, TileJSON and every other
 * Express answer compare tags as the tile shortcut does. One difference: `req.fresh` also
 * answers 200 to a request saying `Cache-Control: no-cache`, where tiles still answer 304 (the
 * origin server may: the client has the current bytes either way).
 */
import fresh from 'fresh';
import { badRequest } from './problem.js';

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

/**
 * The entity tags of an `If-Match` header, refused with a 400 when one is not an entity tag
 * (RFC 9110 section 8.8.3: in double quotes, maybe `W/`-prefixed): an unquoted `35-3` matched
 * nothing and was answered as a stale version, which sent its sender looking for an edit no
 * one made. `*` comes back as the one tag `*`.
 */
export function ifMatchTags(header: string): string[] {
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.length === 1 && tags[0] === '*') return tags;
  const malformed = tags.find((tag) => !/^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/.test(tag));
  if (malformed !== undefined) {
    throw badRequest(
      'invalid-if-match',
      `If-Match takes entity tags in double quotes, as GET sends them in ETag ` +
        `(If-Match: "35-3"); "${malformed.slice(0, 60)}" is not one.`,
    );
  }
  return tags;
}
