import { createCipheriv, createHash } from 'node:crypto';

/**
 * The initial bytes of a volume: an AES-256-CTR keystream keyed by SHA-256(seed, volume id), so
 * the same seed and id always give the same content, two volumes never share it, and a megabyte
 * takes about a millisecond.
 */
export function initialContent(seed: string, volumeId: string, bytes: number): Buffer {
  const key = createHash('sha256').update(`${seed}\0${volumeId}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
