// Error classification of the load engine: every failed request is exactly one kind.
export const ERROR_KINDS = ['timeout', 'connection', '4xx', '5xx', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
export type ErrorCounts = Record<ErrorKind, number>;

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ECONNABORTED', // axios: request timeout
  'ESOCKETTIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** An error a load operation throws to state its kind explicitly. */
export class LoadFailure extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LoadFailure';
  }
}

export function emptyErrorCounts(): ErrorCounts {
  return { timeout: 0, connection: 0, '4xx': 0, '5xx': 0, other: 0 };
}

/** The kind of an HTTP status, or null when the status is a success (below 400). */
export function classifyStatus(status: number): ErrorKind | null {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return null;
}

function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
}

function statusOf(error: Record<string, unknown>): number | undefined {
  const response = error.response as Record<string, unknown> | undefined;
  const candidates = [response?.status, error.status, error.statusCode];
  return candidates.find((value): value is number => typeof value === 'number' && value >= 100);
}

/** Classifies anything a request can throw (axios, undici, ws, node:net errors, LoadFailure). */
export function classifyError(error: unknown): ErrorKind {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const record = current as Record<string, unknown>;
    if (current instanceof LoadFailure || isErrorKind(record.kind)) return record.kind as ErrorKind;
    const status = statusOf(record);
    if (status !== undefined) return classifyStatus(status) ?? 'other';
    const code = typeof record.code === 'string' ? record.code : '';
    if (TIMEOUT_CODES.has(code) || record.name === 'TimeoutError') return 'timeout';
    if (CONNECTION_CODES.has(code)) return 'connection';
    const message = typeof record.message === 'string' ? record.message : '';
    const codeInMessage = /\b(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)\b/.exec(message)?.[1] ?? '';
    if (TIMEOUT_CODES.has(codeInMessage) || /timed? ?out/i.test(message)) return 'timeout';
    if (CONNECTION_CODES.has(codeInMessage)) return 'connection';
    current = record.cause;
  }
  return 'other';
}

/** A short, single-line description of an error for the report's error samples. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
    return text.split('\n')[0].slice(0, 200);
  }
  return String(error).slice(0, 200);
}

/** The failure an operation's result stands for: something with a numeric status of 400 or more. */
export function failureOf(value: unknown): { kind: ErrorKind; message: string } | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as { status?: unknown; statusCode?: unknown };
  const status = typeof record.status === 'number' ? record.status : record.statusCode;
  if (typeof status !== 'number') return null;
  const kind = classifyStatus(status);
  return kind === null ? null : { kind, message: `HTTP ${status}` };
}
