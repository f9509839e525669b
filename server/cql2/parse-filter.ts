import fs from 'node:fs';
import peggy from 'peggy';
import { badRequest } from '../http/problem.js';

/** The filter encodings of OGC API Features Part 3. */
export type FilterLanguage = 'cql2-text' | 'cql2-json';

/** Bounds checked before parsing, so no input can make the parser work without end. */
export const filterTextLimits = { maxLength: 20000, maxBracketDepth: 64 } as const;

// The grammar is compiled once, when this module loads (about 50 ms), so the parser can never
// drift from the committed grammar. Memoisation keeps backtracking over nested brackets linear.
const grammar = fs.readFileSync(new URL('./cql2-text.peggy', import.meta.url), 'utf8');
const textParser = peggy.generate(grammar, { cache: true });

function tooComplex(detail: string, limit: string, maximum: number) {
  return badRequest('filter-too-complex', detail, { limit, maximum });
}

/**
 * Deepest nesting of brackets outside quoted text, counted without recursion, and the index of
 * a quote the text leaves open at its end.
 */
function scanBrackets(text: string): { deepest: number; openQuoteAt?: number } {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  let quoteAt = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quote) {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === "'" && quote === "'" && text[i + 1] === "'")
        i += 1; // '' is a quote
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
      quoteAt = i;
    } else if (char === '(' || char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
  }
  return { deepest, openQuoteAt: quote ? quoteAt : undefined };
}

function checkSize(text: string) {
  const { maxLength, maxBracketDepth } = filterTextLimits;
  if (text.length > maxLength)
    throw tooComplex(
      `A filter may be at most ${maxLength} characters long.`,
      'maxLength',
      maxLength,
    );
  if (scanBrackets(text).deepest > maxBracketDepth) {
    throw tooComplex(
      `A filter may nest brackets at most ${maxBracketDepth} deep.`,
      'maxBracketDepth',
      maxBracketDepth,
    );
  }
}

interface PeggyExpectation {
  type: string;
  text?: string;
  description?: string;
}

/**
 * A syntax error as a sentence: where, what was found (or that the filter ended, or left a
 * quote open), and the words that would fit.
 */
function describeSyntaxError(error: peggy.parser.SyntaxError, text: string): string {
  const where = `CQL2 text syntax error at character ${error.location.start.offset + 1}`;
  const openQuoteAt = error.found === null ? scanBrackets(text).openQuoteAt : undefined;
  if (openQuoteAt !== undefined) {
    const quote = text[openQuoteAt]!;
    const opened = `the ${quote === "'" ? 'text' : 'name'} opened with ${quote}`;
    return `${where}: ${opened} at character ${openQuoteAt + 1} is not closed.`;
  }
  const found = error.found === null ? 'the filter ends early' : `unexpected "${error.found}"`;
  const expected = (error.expected as PeggyExpectation[] | null) ?? [];
  const words = expected
    .filter((e) => e.type === 'literal' && e.text)
    .map((e) => e.text!.toUpperCase());
  const unique = [...new Set(words)].slice(0, 12);
  const hint = unique.length > 0 ? ` Expected one of: ${unique.join(' ')}.` : '';
  return `${where}: ${found}.${hint}`;
}

function parseText(text: string): unknown {
  try {
    return textParser.parse(text);
  } catch (error) {
    if (error instanceof textParser.SyntaxError) {
      const syntaxError = error as peggy.parser.SyntaxError;
      throw badRequest('invalid-filter', describeSyntaxError(syntaxError, text));
    }
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid-filter', 'filter is not valid JSON (filter-lang=cql2-json).');
  }
}

/**
 * Parses a filter into the CQL2 JSON form (CQL2 text is translated by the grammar). The result
 * is unchecked JSON: compile-sql.ts validates every node against the layer.
 */
export function parseFilter(text: string, language: FilterLanguage): unknown {
  checkSize(text);
  return language === 'cql2-text' ? parseText(text) : parseJson(text);
}
