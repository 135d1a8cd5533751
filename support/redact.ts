const SECRET_KEYS = /pass(word)?|secret|token|authorization|api[-_]?key|cookie/i;

/** A deep copy with every secret-looking field replaced, for logs and reports. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_KEYS.test(key) && item !== undefined && item !== null && item !== '' ? '***' : redact(item, depth + 1),
    ]),
  );
}

/** Hides the password part of a connection URL. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
