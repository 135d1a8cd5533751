import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4, formatSubnet, isHostAddress, overlaps, parseIPv4, parseSegmentSubnet } from '../../reference/network/cidr';
import { NetworkError } from '../../reference/network/errors';

function refusal(text: string): NetworkError {
  try {
    parseSegmentSubnet(text);
  } catch (error) {
    assert.ok(error instanceof NetworkError);
    return error;
  }
  assert.fail(`${text} was accepted`);
}

describe('IPv4 addresses', () => {
  it('round-trips dotted quads', () => {
    for (const text of ['0.0.0.0', '10.0.1.7', '192.168.255.254', '255.255.255.255']) {
      assert.equal(formatIPv4(parseIPv4(text) as number), text);
    }
  });

  it('rejects out-of-range octets, missing octets and leading zeros', () => {
    for (const text of ['256.0.0.1', '10.0.0', '10.0.0.0.1', '10.00.0.1', 'a.b.c.d', '', '10..0.1', '-1.0.0.0']) {
      assert.equal(parseIPv4(text), undefined, text);
    }
  });
});

describe('segment subnets', () => {
  it('parses a network address and its broadcast', () => {
    const subnet = parseSegmentSubnet('10.20.0.0/16');
    assert.equal(formatSubnet(subnet), '10.20.0.0/16');
    assert.equal(formatIPv4(subnet.broadcast), '10.20.255.255');
  });

  it('refuses bad syntax naming the input', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/', '10.0.0/24', '300.0.0.0/24', '10.0.0.0/abc', 'fe80::/64']) {
      const error = refusal(text);
      assert.equal(error.kind, 'invalid');
      assert.equal(error.field, 'subnet');
      assert.match(error.message, /is not an IPv4 CIDR/);
    }
  });

  it('refuses prefixes too short or too long for a segment', () => {
    assert.match(refusal('10.0.0.0/7').message, /prefix length \/7: expected \/8 to \/30/);
    assert.match(refusal('10.0.0.0/31').message, /prefix length \/31/);
    assert.match(refusal('10.0.0.0/33').message, /prefix length \/33/);
  });

  it('refuses host bits and names the network address', () => {
    assert.match(refusal('10.0.1.5/24').message, /has host bits set: expected the network address 10\.0\.1\.0\/24/);
    assert.match(refusal('172.16.3.0/20').message, /172\.16\.0\.0\/20/);
  });

  it('detects overlap and containment in both directions', () => {
    const wide = parseSegmentSubnet('10.0.0.0/16');
    const inside = parseSegmentSubnet('10.0.5.0/24');
    const beside = parseSegmentSubnet('10.1.0.0/24');
    const adjacent = parseSegmentSubnet('10.0.6.0/24');
    assert.equal(overlaps(wide, inside), true);
    assert.equal(overlaps(inside, wide), true);
    assert.equal(overlaps(wide, beside), false);
    assert.equal(overlaps(inside, adjacent), false);
  });

  it('excludes the network and broadcast addresses from host addresses', () => {
    const subnet = parseSegmentSubnet('192.168.1.0/30');
    assert.deepEqual(
      [0, 1, 2, 3].map((offset) => isHostAddress(subnet, subnet.network + offset)),
      [false, true, true, false],
    );
  });
});
