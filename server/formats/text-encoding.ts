/**
 * The encoding a text said to be in `label` is decoded in, read as the WHATWG Encoding
 * Standard reads labels, as browsers do: ISO-8859-1, latin1 and ASCII name windows-1252. Its
 * extra characters (€ ‘ ’ “ ” – …) sit where ISO-8859-1 has control characters that no text
 * holds, so a Windows file labelled ISO-8859-1 (a `.cpg` ArcGIS wrote, or the encoding a user
 * chose) keeps its quotes instead of storing invisible controls. Other labels are kept as
 * given; those the standard does not know (cp437, a DOS page of old `.dbf` files) too.
 */
export function decodingEncoding(label: string): string {
  try {
    if (new TextDecoder(label).encoding === 'windows-1252') return 'windows-1252';
  } catch {
    // not a label of the standard: iconv-lite may still know it
  }
  return label.toLowerCase();
}
