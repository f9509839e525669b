/** How many names a refusal quotes from a list; a file of 10,000 columns made it 150 KB. */
const maxQuotedNames = 50;

/**
 * Names a refusal quotes (a file's columns, fields or layers): the first 50 as text and as a
 * member, with the count of all, so neither the detail nor the member grows with the file.
 */
export function quotedNames(names: readonly string[]): { text: string; shown: string[] } {
  const shown = names.slice(0, maxQuotedNames);
  const more = names.length - shown.length;
  const text = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
  return { text, shown };
}
