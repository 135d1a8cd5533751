import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';

/**
 * The request body parsed as JSON: undefined when there is none, 413 when it is larger than
 * `maxBytes` (checked against Content-Length first, then while reading), 400 when it is not JSON.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    request.resume();
    throw tooLarge(maxBytes);
  }
  if (declared === '0' || (declared === undefined && request.headers['transfer-encoding'] === undefined)) return undefined;
  const { chunks, size } = await collect(request, maxBytes);
  if (size === 0) return undefined;
  const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads the whole body; past the limit it rejects at once and keeps draining, so the 413 can still be answered. */
function collect(request: IncomingMessage, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size - chunk.length <= maxBytes) reject(tooLarge(maxBytes));
    });
    request.once('end', () => resolve({ chunks, size }));
    request.once('error', (error) => reject(new HttpError(400, `the request body could not be read: ${error.message}`)));
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the request body is larger than the limit of ${maxBytes} bytes`);
}
