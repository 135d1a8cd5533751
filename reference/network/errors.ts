/** Why a network request was refused; the HTTP layer maps each kind to one status. */
export type NetworkErrorKind = 'invalid' | 'not_found' | 'conflict' | 'exhausted';

export class NetworkError extends Error {
  constructor(
    readonly kind: NetworkErrorKind,
    message: string,
    /** The input field at fault, for `details` of a 400 answer. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}
