/** Why a storage request was refused; the HTTP layer maps each kind to one status. */
export type StorageErrorKind = 'invalid' | 'not_found' | 'conflict' | 'insufficient_capacity';

export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    /** The input field at fault, for `details` of a 400 answer. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
