// The Settings screen's rules, checked as the user types: the same ranges the vault enforces
// (`keyward_vault::Settings::set`), said up front beside each field.

/** Minutes of idle before the vault locks: 0 (never) to 24 h. */
export const IDLE_MAX = 1440;
export const PORT_MIN = 1024;
export const PORT_MAX = 65535;

/** "90", "90s", "5m", "1h" → seconds; null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*([smh]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const mult = m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : 1;
  const secs = n * mult;
  return Number.isSafeInteger(secs) ? secs : null;
}

/** Seconds in words: "45 s", "5 min", "1 h 30 min", "2 days". */
export function durationWords(secs: number): string {
  if (secs < 60) return `${secs} s`;
  if (secs < 3600) {
    const m = Math.floor(secs / 60);
    const s = secs % 60;
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  if (secs < 86400 || secs % 86400 !== 0) {
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = secs / 86400;
  return d === 1 ? '1 day' : `${d} days`;
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** What is wrong with an idle-lock value, or ''. */
export function idleProblem(text: string): string {
  const n = wholeNumber(text);
  if (n === null || n > IDLE_MAX) return `Enter a whole number of minutes from 0 to ${IDLE_MAX}.`;
  return '';
}

export function idleWords(text: string): string {
  const n = wholeNumber(text);
  if (n === null) return '';
  return n === 0 ? 'Never locks on its own.' : n >= 60 ? `= ${durationWords(n * 60)}` : '';
}

export function portProblem(text: string): string {
  const n = wholeNumber(text);
  if (n === null || n < PORT_MIN || n > PORT_MAX) return `Enter a port from ${PORT_MIN} to ${PORT_MAX}.`;
  return '';
}

const DURATION_FORM = 'Enter seconds, or a number followed by s, m or h (90, 5m, 1h).';

/** What is wrong with a default JWT lifetime, given the longest one allowed now (seconds). */
export function jwtDefaultProblem(text: string, maxSecs: number): string {
  const s = parseDuration(text);
  if (s === null) return DURATION_FORM;
  if (s === 0) return 'At least 1 second.';
  if (s > maxSecs) return `At most the longest lifetime allowed (${durationWords(maxSecs)}); raise that first.`;
  return '';
}

/** What is wrong with the longest JWT lifetime, given the default one now (seconds). */
export function jwtMaxProblem(text: string, defaultSecs: number): string {
  const s = parseDuration(text);
  if (s === null) return DURATION_FORM;
  if (s < defaultSecs) return `At least the default lifetime (${durationWords(defaultSecs)}); lower that first.`;
  return '';
}

/** "= 5 min" beside a valid duration given in other units than plain seconds, or when long. */
export function durationNote(text: string): string {
  const s = parseDuration(text);
  return s === null || s < 60 ? '' : `= ${durationWords(s)}`;
}
