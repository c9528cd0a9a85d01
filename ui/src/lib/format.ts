/** A short, recognisable prefix of a key fingerprint for lists. */
export function shortFingerprint(fp: string): string {
  const m = /^([A-Za-z0-9-]+):(.*)$/.exec(fp);
  const body = m ? m[2] : fp;
  const short = body.length > 16 ? `${body.slice(0, 16)}…` : body;
  return m ? `${m[1]}:${short}` : short;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 3339 → "YYYY-MM-DD HH:MM" in local time; unparsable input is shown as is. */
export function formatDate(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

export const ALG_NAMES: Record<string, string> = { p256: 'P-256' };

export function algName(alg: string): string {
  return ALG_NAMES[alg] ?? alg;
}

/** Trimmed text, or null when empty (optional labels). */
export function optional(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}
