import { NetworkError } from './errors';

/** An IPv4 subnet as unsigned 32-bit numbers. */
export interface Subnet {
  network: number;
  prefix: number;
  /** Last address of the subnet (the broadcast address). */
  broadcast: number;
}

export const MIN_SEGMENT_PREFIX = 8;
export const MAX_SEGMENT_PREFIX = 30;

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses dotted-quad IPv4 ("10.0.0.1"); undefined when the text is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIPv4(subnet.network)}/${subnet.prefix}`;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Parses a segment subnet in CIDR notation and refuses, with one readable line each, bad syntax,
 * a prefix outside MIN..MAX_SEGMENT_PREFIX and host bits set.
 */
export function parseSegmentSubnet(text: unknown, field = 'subnet', { allowHostBits = false } = {}): Subnet {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new NetworkError('invalid', `${field} is required: expected an IPv4 CIDR such as 10.0.1.0/24`, field);
  }
  const match = /^([^/]+)\/([0-9]{1,2})$/.exec(text.trim());
  const address = match ? parseIPv4(match[1]) : undefined;
  if (!match || address === undefined) {
    throw new NetworkError('invalid', `${field} "${text}" is not an IPv4 CIDR: expected a.b.c.d/prefix such as 10.0.1.0/24`, field);
  }
  const prefix = Number(match[2]);
  if (prefix < MIN_SEGMENT_PREFIX || prefix > MAX_SEGMENT_PREFIX) {
    throw new NetworkError(
      'invalid',
      `${field} "${text}" has prefix length /${prefix}: expected /${MIN_SEGMENT_PREFIX} to /${MAX_SEGMENT_PREFIX}`,
      field,
    );
  }
  const size = blockSize(prefix);
  const network = address - (address % size);
  if (network !== address && !allowHostBits) {
    throw new NetworkError(
      'invalid',
      `${field} "${text}" has host bits set: expected the network address ${formatIPv4(network)}/${prefix}`,
      field,
    );
  }
  return { network, prefix, broadcast: network + size - 1 };
}

export function contains(subnet: Subnet, address: number): boolean {
  return address >= subnet.network && address <= subnet.broadcast;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

/** True for an address a host may use: inside the subnet, neither the network nor the broadcast address. */
export function isHostAddress(subnet: Subnet, address: number): boolean {
  return address > subnet.network && address < subnet.broadcast;
}
