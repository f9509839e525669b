/**
 * CSV cells and spreadsheet formulas. A spreadsheet program runs a text cell starting with
 * = + - @, a tab or a CR as a formula; names come from editable layers, so a cell such as
 * `=HYPERLINK(…)` is written with a leading apostrophe, which spreadsheets show as text. Simpul's
 * CSV reader takes that apostrophe off again, so an export imported back gives the same value.
 */

/** A formula start (= + - @, tab, CR), behind any number of apostrophes. */
const apostrophesThenFormula = /^'*[=+\-@\t\r]/;

/**
 * A value as written to a CSV: text that would run as a formula gets a leading apostrophe, as
 * does text that already starts with apostrophes before one (`'=x` is written `''=x`), so
 * that `restoreFormula` gives back every value as it was.
 */
export function neutraliseFormula<T>(value: T): T | string {
  if (typeof value !== 'string' || !apostrophesThenFormula.test(value)) return value;
  // Numbers written as text ("-7.5", "+62") are data, not formulas.
  return Number.isFinite(Number(value)) && value.trim() !== '' ? value : `'${value}`;
}

/** A CSV row's cells, each as `neutraliseFormula` writes it. */
export function formulaSafe(cells: readonly unknown[]): unknown[] {
  return cells.map((cell) => neutraliseFormula(cell));
}

/**
 * A CSV cell as read: the apostrophe `neutraliseFormula` adds is taken off. A file from
 * elsewhere whose text really starts with an apostrophe before = + - @ loses that apostrophe
 * (rare, and the same as a spreadsheet program shows the cell).
 */
export function restoreFormula(text: string): string {
  return text.startsWith("'") && apostrophesThenFormula.test(text) ? text.slice(1) : text;
}
