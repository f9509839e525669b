/**
 * `count` and `noun` in the English form that counts it: "1 feature", "0 features",
 * "3 rows". `plural` is the noun with an s unless given ("1 of 2 entries").
 */
export function countNoun(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

/** How often, in English: "once", "2 times". */
export function countTimes(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}
