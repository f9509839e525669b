/**
 * Checks of literal values shared by CQL2 filters and the items parameters: calendar dates,
 * RFC 3339 timestamps and text. Each returns a reason when the value cannot be used, so the
 * caller can answer 400 before PostgreSQL sees it.
 */

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  const monthDays = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= monthDays[month - 1]!;
}

/** True for `YYYY-MM-DD` naming a real day from year 1 on. */
export function isDate(text: string): boolean {
  const match = datePattern.exec(text);
  return match !== null && isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** True for an RFC 3339 date-time with `Z` or an offset, naming a real instant. */
export function isTimestamp(text: string): boolean {
  const match = timestampPattern.exec(text);
  if (!match) return false;

  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  const offset = match[8]!;
  const offsetValid = offset.length === 1 || Number(offset.slice(1, 3)) < 24;
  const day = isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
  return day && offsetValid && hour < 24 && minute < 60 && second < 60;
}

/** Text PostgreSQL can store: no NUL character (it ends C strings inside the server). */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000');
}
