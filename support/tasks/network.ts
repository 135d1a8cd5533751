import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { expectRefusal } from './refusals';
import { createVm, vmNamed } from './vms';

/** Network segments, attachments, policies and connectivity tests, in the words of the feature. */

interface Segment {
  id: string;
  name: string;
  subnet: string;
  type: string;
  gateway: string;
}

interface Attachment {
  network_id: string;
  vm_id: string;
  ip_address: string;
}

interface Policy {
  id: string;
  name: string;
}

export interface Verdict {
  reachable: boolean;
  decided_by: string;
  rule: { kind: string; id: string };
  reason: string;
}

/** A rule that decides a connectivity test, as the feature names it. */
export type DecidingRule = { builtIn: 'default-deny' | 'same-segment' } | { policy: string };

/** Why a segment is refused, as the feature names it: the kind of refusal and what the reason must say. */
const SEGMENT_REFUSALS: Record<string, { kind: 'invalid' | 'conflict'; says: RegExp }> = {
  'the subnet is not an IPv4 CIDR': { kind: 'invalid', says: /is not an IPv4 CIDR/ },
  'the subnet has host bits set': { kind: 'invalid', says: /has host bits set/ },
  'the prefix length is out of range': { kind: 'invalid', says: /prefix length/ },
};

interface NetworkState {
  segments: Map<string, Segment>;
  policies: Map<string, Policy>;
  verdict?: Verdict;
}

function state(world: NovaWorld): NetworkState {
  return world.domain('network', () => ({ segments: new Map<string, Segment>(), policies: new Map<string, Policy>() }));
}

function segmentNamed(world: NovaWorld, alias: string): Segment {
  const segment = state(world).segments.get(alias);
  if (!segment) throw new Error(`no segment "${alias}" was created in this scenario`);
  return segment;
}

/** Asks for a segment under the scenario's unique form of `alias`; remembers it and deletes it after the scenario. */
export async function submitSegment(world: NovaWorld, alias: string, subnet: string, gateway?: string): Promise<ApiResponse<Segment>> {
  const response = await world.actor.api.post<Segment>('/api/v1/networks', { name: world.unique(alias), subnet, ...(gateway ? { gateway } : {}) });
  world.lastResponse = response;
  if (response.status === 201) {
    const segment = response.data;
    state(world).segments.set(alias, segment);
    world.ledger.add(`segment ${segment.name} (${segment.id})`, async () => {
      const deleted = await (await world.suite.admin()).delete(`/api/v1/networks/${segment.id}`);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
    });
  }
  return response;
}

export async function createSegment(world: NovaWorld, alias: string, subnet: string, gateway?: string): Promise<Segment> {
  const response = await submitSegment(world, alias, subnet, gateway);
  expectStatus(response, 201, `creating the segment "${alias}" on ${subnet}`);
  return response.data;
}

export async function expectSegment(world: NovaWorld, alias: string, expected: Partial<Pick<Segment, 'subnet' | 'gateway' | 'type'>>): Promise<void> {
  const response = await world.actor.api.get<Segment>(`/api/v1/networks/${segmentNamed(world, alias).id}`);
  expectStatus(response, 200, `reading the segment "${alias}"`);
  const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, response.data[key as keyof Segment]]));
  assert.deepEqual(actual, expected, `the segment "${alias}" is not as expected`);
}

export function expectSegmentRefused(world: NovaWorld, reason: string): void {
  const overlap = /^the subnet overlaps the segment "(.+)"$/.exec(reason);
  const { kind, says } = overlap
    ? { kind: 'conflict' as const, says: new RegExp(`overlaps network "${world.unique(overlap[1])}"`) }
    : (SEGMENT_REFUSALS[reason] ?? unknownReason(reason));
  const body = expectRefusal(world, kind);
  assert.match(body.error ?? '', says, `the refusal does not say why: "${body.error}"`);
  if (kind === 'invalid') {
    assert.ok((body.details ?? []).some((d) => d.field === 'subnet'), `the refusal should name the subnet: ${JSON.stringify(body.details)}`);
  }
}

function unknownReason(reason: string): never {
  throw new Error(`unknown refusal reason "${reason}": expected one of ${[...Object.keys(SEGMENT_REFUSALS), 'the subnet overlaps the segment "<name>"'].join('; ')}`);
}

export async function expectNoSegment(world: NovaWorld, alias: string): Promise<void> {
  const response = await world.actor.api.get<{ items: Segment[] }>('/api/v1/networks', { params: { page_size: 500 } });
  expectStatus(response, 200, 'listing the segments');
  const name = world.unique(alias);
  assert.equal(response.data.items.filter((s) => s.name === name).length, 0, `a segment "${alias}" exists although it was refused`);
}

export async function attach(world: NovaWorld, vmAlias: string, segmentAlias: string): Promise<Attachment> {
  const segment = segmentNamed(world, segmentAlias);
  const vm = vmNamed(world, vmAlias);
  const response = await world.actor.api.post<Attachment>(`/api/v1/networks/${segment.id}/attachments`, { vm_id: vm.id });
  expectStatus(response, 201, `attaching "${vmAlias}" to the segment "${segmentAlias}"`);
  world.ledger.add(`attachment of ${vm.name} to ${segment.name}`, async () => {
    const detached = await (await world.suite.admin()).delete(`/api/v1/networks/${segment.id}/attachments/${vm.id}`);
    if (detached.status !== 200 && detached.status !== 404) throw new Error(`detaching it answered ${detached.status}`);
  });
  return response.data;
}

export async function vmOnSegment(world: NovaWorld, vmAlias: string, segmentAlias: string): Promise<void> {
  await createVm(world, vmAlias);
  await attach(world, vmAlias, segmentAlias);
}

export async function expectDistinctAddresses(world: NovaWorld, vmAliases: string[], subnet: string): Promise<void> {
  const [base, prefix] = subnet.split('/');
  const size = 2 ** (32 - Number(prefix));
  const network = toNumber(base);
  const segment = [...state(world).segments.values()].find((s) => s.subnet === subnet);
  if (!segment) throw new Error(`no segment on ${subnet} was created in this scenario`);
  const response = await world.actor.api.get<{ items: Attachment[] }>(`/api/v1/networks/${segment.id}/attachments`);
  expectStatus(response, 200, `listing the machines on ${subnet}`);
  const addresses = vmAliases.map((alias) => {
    const vm = vmNamed(world, alias);
    const attachment = response.data.items.find((a) => a.vm_id === vm.id);
    assert.ok(attachment, `"${alias}" is not attached to the segment on ${subnet}`);
    return attachment.ip_address;
  });
  assert.equal(new Set(addresses).size, addresses.length, `the machines share addresses: ${addresses.join(', ')}`);
  for (const address of addresses) {
    const value = toNumber(address);
    assert.ok(value > network && value < network + size - 1, `${address} is not a host address of ${subnet}`);
    assert.notEqual(address, segment.gateway, `${address} is the gateway of ${subnet}`);
  }
}

export async function createPolicy(world: NovaWorld, alias: string, protocol: string, port: number, from: string, to: string): Promise<Policy> {
  const response = await world.actor.api.post<Policy>('/api/v1/network-policies', {
    name: world.unique(alias),
    source_network_id: segmentNamed(world, from).id,
    destination_network_id: segmentNamed(world, to).id,
    protocol,
    ports: [port],
    action: 'allow',
  });
  expectStatus(response, 201, `creating the policy "${alias}"`);
  const policy = response.data;
  state(world).policies.set(alias, policy);
  world.ledger.add(`policy ${policy.name} (${policy.id})`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/network-policies/${policy.id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  return policy;
}

export async function testConnectivity(world: NovaWorld, from: string, to: string, protocol: string, port: number): Promise<Verdict> {
  const response = await world.actor.api.post<Verdict>('/api/v1/networks/connectivity-test', {
    source_vm_id: vmNamed(world, from).id,
    destination_vm_id: vmNamed(world, to).id,
    protocol,
    port,
  });
  expectStatus(response, 200, `testing whether "${from}" reaches "${to}"`);
  state(world).verdict = response.data;
  return response.data;
}

export function expectVerdict(world: NovaWorld, reachable: boolean, rule: DecidingRule): void {
  const verdict = state(world).verdict;
  if (!verdict) throw new Error('no connectivity test was made in this scenario');
  const expectedRule = 'policy' in rule ? policyNamed(world, rule.policy).id : rule.builtIn;
  const said = `the test said ${verdict.reachable ? 'reachable' : 'not reachable'} by ${verdict.decided_by} ("${verdict.reason}")`;
  assert.equal(verdict.reachable, reachable, `the destination should be ${reachable ? 'reachable' : 'not reachable'}, but ${said}`);
  assert.equal(verdict.decided_by, expectedRule, `the rule ${expectedRule} should decide, but ${said}`);
}

function policyNamed(world: NovaWorld, alias: string): Policy {
  const policy = state(world).policies.get(alias);
  if (!policy) throw new Error(`no policy "${alias}" was created in this scenario`);
  return policy;
}

function toNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}
