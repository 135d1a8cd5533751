/** One invalid input field, as the API reports it in `details`. */
export interface FieldError {
  field: string;
  message: string;
}

/** An answer other than success: `{ error, details?, ...body }` with the given status and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: FieldError[],
    readonly more: { body?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): Record<string, unknown> {
    return { error: this.message, ...(this.details && this.details.length > 0 ? { details: this.details } : {}), ...this.more.body };
  }
}

/** A dependency (the database, Redis) cannot be used right now; nothing was changed. Answered 503. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

export function badRequest(message: string, details?: FieldError[]): HttpError {
  return new HttpError(400, message, details);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}

export function conflict(message: string, body?: Record<string, unknown>): HttpError {
  return new HttpError(409, message, undefined, { body });
}

/** A 400 naming every invalid field, with a sentence that lists them. */
export function invalidInput(what: string, details: FieldError[]): HttpError {
  const fields = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new HttpError(400, `invalid ${what}: ${fields}`, details);
}
