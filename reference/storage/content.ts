import { createHash } from 'node:crypto';

/**
 * The initial bytes of a volume: SHA-256 in counter mode over (seed, volume id), so the same seed
 * and id always give the same content and two volumes never share it.
 */
export function initialContent(seed: string, volumeId: string, bytes: number): Buffer {
  const content = Buffer.alloc(bytes);
  for (let block = 0, offset = 0; offset < bytes; block++, offset += 32) {
    createHash('sha256').update(`${seed}\0${volumeId}\0${block}`).digest().copy(content, offset);
  }
  return content;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
