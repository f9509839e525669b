/**
 * The one reading of an on/off switch, for environment variables (server/config.ts) and the
 * switches of requests (the GeoServer publication's `force`): 1/true/yes/on and
 * 0/false/no/off, in any case, around spaces. Anything else is undefined, for the caller to
 * refuse naming its switch: a guess turned `yes` into off and `constructor` into on.
 */
const switchWordValues = new Map<string, boolean>([
  ['1', true],
  ['true', true],
  ['yes', true],
  ['on', true],
  ['0', false],
  ['false', false],
  ['no', false],
  ['off', false],
]);

/** Every word a switch takes, in lower case (1, true, yes, on, 0, false, no, off). */
export const switchWords = [...switchWordValues.keys()];

/** The words a switch takes, for messages: `1 or 0 (true/false, yes/no, on/off)`. */
export const switchWordsHint = '1 or 0 (true/false, yes/no, on/off)';

/** A switch's value, or undefined when `text` is none of the switch words. */
export function parseSwitch(text: string): boolean | undefined {
  return switchWordValues.get(text.trim().toLowerCase());
}
