import { describe, expect, it } from 'vitest';
import { matchesIfNoneMatch } from '../../../server/http/entity-tags.js';

const tileTags = ['"a1b2"', '"a1b2-gzip"'];

describe('If-None-Match comparison', () => {
  it('matches a quoted tag of the representation, strong or weak', () => {
    expect(matchesIfNoneMatch('"a1b2"', tileTags)).toBe(true);
    expect(matchesIfNoneMatch('"a1b2-gzip"', tileTags)).toBe(true);
    expect(matchesIfNoneMatch('W/"a1b2"', tileTags)).toBe(true);
    expect(matchesIfNoneMatch('"x", W/"a1b2-gzip"', tileTags)).toBe(true);
    expect(matchesIfNoneMatch('"3-2"', ['W/"3-2"'])).toBe(true);
  });

  it('matches any current representation with *', () => {
    expect(matchesIfNoneMatch('*', tileTags)).toBe(true);
  });

  it('never matches an unquoted or malformed tag', () => {
    expect(matchesIfNoneMatch('a1b2', tileTags)).toBe(false);
    expect(matchesIfNoneMatch('W/a1b2', tileTags)).toBe(false);
    expect(matchesIfNoneMatch('"a1b2', tileTags)).toBe(false);
    expect(matchesIfNoneMatch('a1b2"', tileTags)).toBe(false);
    expect(matchesIfNoneMatch('a1b2-gzip, x', tileTags)).toBe(false);
    expect(matchesIfNoneMatch("'a1b2'", tileTags)).toBe(false);
  });

  it('does not match another tag, an empty header or a missing one', () => {
    expect(matchesIfNoneMatch('"other"', tileTags)).toBe(false);
    expect(matchesIfNoneMatch('', tileTags)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tileTags)).toBe(false);
  });
});
