/** Why a federation or migration request was refused; the HTTP layer maps each kind to one status. */
export type FederationErrorKind = 'invalid' | 'not_found' | 'conflict' | 'insufficient_capacity' | 'unavailable';

export class FederationError extends Error {
  constructor(
    readonly kind: FederationErrorKind,
    message: string,
    /** The input field at fault, for `details` of a 400 answer. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'FederationError';
  }
}
