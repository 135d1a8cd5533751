import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiClient, ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { body, helperVmsFor, pick, readAllPages, refusedAs, type Page, type Refusal } from './common';
import { runModelCheck, type ModelCheck } from './runner';
import { invalidBodies, withInvalid } from './invalid-inputs';
import { readStored } from './stored';
import { eventually } from '../tasks/expect';

/**
 * The network model, written from the contract (contract/domains/network.yaml), not from any
 * implementation: a segment has an IPv4 subnet of prefix /8 to /30 without host bits that overlaps no
 * other segment, a type (bridged by default) and a gateway (the first host address by default, or
 * any host address asked for); a VM attached to a segment gets the address asked for, or a free host
 * address that is not the gateway, and the address is freed when it leaves; a policy lets traffic
 * (or denies it) from one segment to another on a protocol and ports, the lowest priority number
 * first; a segment still used by a VM or a policy cannot be deleted.
 *
 * After every operation every view is compared with the model: each segment, policy and attachment
 * list (every page, at a random page size), the policy list's evaluation order, what was deleted, and
 * — above all — the reachability the target reports between every ordered pair of the check's VMs,
 * for the operation's probes, against the verdict the model derives from its own segments,
 * attachments and policies (inside a segment allowed, between segments denied unless the first
 * matching policy allows it, a VM on no segment reaches nothing; a VM on several segments reaches
 * another when any pair of their segments lets the traffic through).
 */

const VMS_PER_CHECK = 3;
/** Segments and policies are created while fewer than this many live (every step reads each of them). */
const MAX_LIVE_NETWORKS = 5;
const MAX_LIVE_POLICIES = 5;
/** The last two are the contract's limits, which a policy must accept. */
const POLICY_PORTS = [22, 80, 443, 5432, 1, 65535] as const;
/** 172.16.0.0: every segment of the check lies in 172.16.0.0/12, where blocks nest often. */
const UNIVERSE = 172 * 2 ** 24 + 16 * 2 ** 16;
/** Prefix lengths the segments are drawn from, the large blocks (which hold the others) less often. */
const PREFIXES = [12, 16, 20, 22, 24, 24, 26, 26, 28, 29, 30, 30] as const;
const TYPES = ['bridged', 'nat', 'overlay'] as const;
type NetworkType = (typeof TYPES)[number];
type Protocol = 'tcp' | 'udp' | 'icmp' | 'any';
type PolicyAction = 'allow' | 'deny';

/** A connectivity question: tcp and udp name a port, icmp none. */
interface Probe {
  protocol: 'tcp' | 'udp' | 'icmp';
  port: number | null;
}
const PROBES: readonly Probe[] = [
  { protocol: 'tcp', port: 22 },
  { protocol: 'tcp', port: 80 },
  { protocol: 'tcp', port: 443 },
  { protocol: 'tcp', port: 5432 },
  { protocol: 'tcp', port: 8080 },
  { protocol: 'udp', port: 5432 },
  { protocol: 'udp', port: 53 },
  { protocol: 'icmp', port: null },
];
const describeProbe = (probe: Probe) => (probe.port === null ? probe.protocol : `${probe.protocol}/${probe.port}`);

interface Network {
  id: string;
  name: string;
  subnet: string;
  type: NetworkType;
  gateway: string;
  created_at: string;
}

interface Attachment {
  network_id: string;
  vm_id: string;
  ip_address: string;
  attached_at: string;
}

interface Policy {
  id: string;
  name: string;
  source_network_id: string;
  destination_network_id: string;
  protocol: Protocol;
  ports: number[];
  action: PolicyAction;
  priority: number;
  created_at: string;
}

interface Verdict {
  reachable: boolean;
  decided_by: string;
  rule: { kind: 'policy'; id: string; name: string; action: PolicyAction } | { kind: 'built-in'; id: string };
  reason: string;
  protocol: string;
  port: number | null;
  source: { vm_id: string; network_id: string | null; ip_address: string | null };
  destination: { vm_id: string; network_id: string | null; ip_address: string | null };
}

/** A block of addresses as numbers: network address, last address (broadcast). */
interface Block {
  first: number;
  last: number;
  prefix: number;
}

interface ModelNetwork {
  id: string;
  name: string;
  block: Block;
  type: NetworkType;
  gateway: number;
  created_at: string;
}

interface ModelAttachment {
  network: ModelNetwork;
  vm: number;
  address: number;
  attached_at: string;
}

interface ModelPolicy {
  id: string;
  name: string;
  source: ModelNetwork;
  destination: ModelNetwork;
  protocol: Protocol;
  ports: number[];
  action: PolicyAction;
  priority: number;
  created_at: string;
}

export interface NetworkModel {
  networks: ModelNetwork[];
  attachments: ModelAttachment[];
  policies: ModelPolicy[];
  goneNetworks: { id: string; name: string }[];
  gonePolicies: { id: string; name: string }[];
  /** Segments that are not the sequence's (they take address space too). */
  foreign: Block[];
  issued: number;
}

export interface NetworkSystem {
  world: NovaWorld;
  api: ApiClient;
  /** Every segment and policy name of the sequence starts with it. */
  prefix: string;
  vms: readonly { id: string; name: string }[];
}

type NetworkCommand = fc.AsyncCommand<NetworkModel, NetworkSystem>;

// ---- addresses ------------------------------------------------------------------------------------

const toText = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
const toNumber = (text: string) => text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
const cidr = (block: Block) => `${toText(block.first)}/${block.prefix}`;
const overlap = (a: Block, b: Block) => a.first <= b.last && b.first <= a.last;
const hostCount = (block: Block) => block.last - block.first - 1;

function blockOf(prefix: number, index: number): Block {
  const size = 2 ** (32 - prefix);
  const first = UNIVERSE + (index % Math.min(2 ** (prefix - 12), 8)) * size;
  return { first, last: first + size - 1, prefix };
}

function parseCidr(text: string): Block {
  const [address, prefix] = text.split('/');
  const first = toNumber(address);
  return { first, last: first + 2 ** (32 - Number(prefix)) - 1, prefix: Number(prefix) };
}



function invalidField(response: ApiResponse, field: string, what: string): void {
  refusedAs(response, 400, what);
  const fields = ((response.data as Refusal).details ?? []).map((detail) => detail.field);
  assert.ok(fields.includes(field), `the refusal of ${what} names ${JSON.stringify(fields)}, not "${field}"`);
}

function label(real: NetworkSystem, name: string): string {
  return name.startsWith(real.prefix) ? name.slice(real.prefix.length).replace('-', ' ') : name;
}

function nextName(model: NetworkModel, real: NetworkSystem, kind: 'net' | 'policy'): string {
  model.issued += 1;
  return `${real.prefix}${kind}-${model.issued}`;
}

const netLabel = (real: NetworkSystem, net: { name: string }) => label(real, net.name);

// ---- segments -------------------------------------------------------------------------------------

type GatewayChoice = 'default' | 'host' | 'network address' | 'broadcast address' | 'outside the subnet' | 'not an address';

async function submitNetwork(real: NetworkSystem, request: Record<string, unknown>): Promise<ApiResponse<Network>> {
  const response = await real.api.post<Network>('/api/v1/networks', request);
  if (response.status === 201) {
    const { id, name } = response.data;
    real.world.ledger.add(`segment ${name} (${id})`, () => removeNetwork(real.world, id));
  }
  return response;
}

/** Cleanup of a segment: its policies, its attachments, then the segment. */
async function removeNetwork(world: NovaWorld, id: string): Promise<void> {
  const admin = await world.suite.admin();
  const policies = await admin.get<Page<Policy>>('/api/v1/network-policies', { params: { page_size: 500 } });
  for (const policy of policies.status === 200 ? policies.data.items : []) {
    if (policy.source_network_id === id || policy.destination_network_id === id) await admin.delete(`/api/v1/network-policies/${policy.id}`);
  }
  const attachments = await admin.get<Page<Attachment>>(`/api/v1/networks/${id}/attachments`, { params: { page_size: 500 } });
  for (const attachment of attachments.status === 200 ? attachments.data.items : []) await admin.delete(`/api/v1/networks/${id}/attachments/${attachment.vm_id}`);
  const deleted = await admin.delete(`/api/v1/networks/${id}`);
  if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting segment ${id} answered ${deleted.status} ${JSON.stringify(deleted.data)}`);
}

class CreateNetwork implements NetworkCommand {
  private text: string | undefined;
  constructor(
    readonly prefixIndex: number,
    readonly blockIndex: number,
    readonly type: NetworkType | undefined,
    readonly gateway: GatewayChoice,
    readonly hostIndex: number,
    readonly probes: readonly Probe[],
    readonly pageSize: number,
    /** Take the first block of the prefix that the model knows to be free, if there is one. */
    readonly fresh = false,
  ) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length < MAX_LIVE_NETWORKS;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const name = nextName(model, real, 'net');
    const prefix = PREFIXES[this.prefixIndex % PREFIXES.length];
    const taken = [...model.networks.map((net) => net.block), ...model.foreign];
    const free = this.fresh ? [0, 1, 2, 3, 4, 5, 6, 7].map((i) => blockOf(prefix, this.blockIndex + i)).find((candidate) => !taken.some((other) => overlap(other, candidate))) : undefined;
    const block = free ?? blockOf(prefix, this.blockIndex);
    const host = block.first + 1 + (this.hostIndex % hostCount(block));
    const gateway = {
      default: undefined,
      host: toText(host),
      'network address': toText(block.first),
      'broadcast address': toText(block.last),
      'outside the subnet': toText(block.last + 2),
      'not an address': 'gateway-1',
    }[this.gateway];
    const request: Record<string, unknown> = { name, subnet: cidr(block) };
    if (this.type) request.type = this.type;
    if (gateway !== undefined) request.gateway = gateway;
    this.text = `create ${label(real, name)} on ${cidr(block)}${this.type ? ` (${this.type})` : ''}${gateway === undefined ? '' : ` with the gateway ${gateway}`}`;
    const what = `creating the segment ${name} on ${cidr(block)} with the gateway ${gateway ?? 'by default'}`;
    const response = await submitNetwork(real, request);
    const clash = [...model.networks.map((net) => ({ block: net.block, what: net.name })), ...model.foreign.map((foreign) => ({ block: foreign, what: `a segment on ${cidr(foreign)}` }))].find((other) => overlap(other.block, block));
    if (this.gateway !== 'default' && this.gateway !== 'host') {
      // Two things wrong: the contract does not say which refusal comes first.
      if (clash && response.status === 409) refusedAs(response, 409, `${what}, which overlaps ${clash.what}`, 'conflict');
      else invalidField(response, 'gateway', what);
    } else if (clash) {
      refusedAs(response, 409, `${what}, which overlaps ${clash.what}`, 'conflict');
    } else {
      assert.equal(response.status, 201, `${what} was answered ${response.status} ${body(response)}`);
      const net: ModelNetwork = { id: response.data.id, name, block, type: this.type ?? 'bridged', gateway: gateway === undefined ? block.first + 1 : host, created_at: response.data.created_at };
      assert.deepEqual(response.data, networkView(net), `${what} answered a segment other than the one asked for`);
      model.networks.push(net);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'create a segment';
}

/** Segment requests the contract refuses, and the field whose refusal must be named: subnets picked by hand, then every case derived from the contract. */
const INVALID_NETWORKS: readonly { what: string; field: string; request: (name: string) => Record<string, unknown> }[] = [
  { what: 'an octet above 255', field: 'subnet', request: (name) => ({ name, subnet: '172.16.300.0/24' }) },
  { what: 'no prefix length', field: 'subnet', request: (name) => ({ name, subnet: '172.16.200.0' }) },
  { what: 'host bits set', field: 'subnet', request: (name) => ({ name, subnet: '172.16.200.7/24' }) },
  { what: 'a /31', field: 'subnet', request: (name) => ({ name, subnet: '172.16.200.0/31' }) },
  { what: 'a /7', field: 'subnet', request: (name) => ({ name, subnet: '172.0.0.0/7' }) },
  { what: 'a /33', field: 'subnet', request: (name) => ({ name, subnet: '172.16.200.0/33' }) },
  { what: 'words for a subnet', field: 'subnet', request: (name) => ({ name, subnet: 'the lab network' }) },
  ...invalidBodies('NetworkCreateRequest').map((invalid) => ({ ...invalid, request: (name: string) => withInvalid({ name, subnet: '192.0.2.0/24' }, invalid) })),
];

class RequestInvalidNetwork implements NetworkCommand {
  constructor(readonly invalid: readonly number[], readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = () => true;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    for (const index of this.invalid) {
      const { what, field, request } = INVALID_NETWORKS[index % INVALID_NETWORKS.length];
      invalidField(await submitNetwork(real, request(`${real.prefix}bad`)), field, `a segment with ${what}`);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => `create a segment with ${this.invalid.map((index) => INVALID_NETWORKS[index % INVALID_NETWORKS.length].what).join(', then with ')}`;
}

/** A second segment under the name of a live one, on a subnet nobody uses: refused. */
class ReuseNetworkName implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const net = pick(model.networks, this.index) as ModelNetwork;
    this.text = `create a second ${netLabel(real, net)}`;
    // 192.0.2.64/30 lies outside every block the check uses.
    refusedAs(await submitNetwork(real, { name: net.name, subnet: '192.0.2.64/30' }), 409, `a second segment named ${net.name}`, 'conflict');
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'reuse the name of a segment';
}

class DeleteNetwork implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const net = pick(model.networks, this.index) as ModelNetwork;
    const attached = model.attachments.filter((a) => a.network === net).length;
    const used = model.policies.filter((p) => p.source === net || p.destination === net).length;
    this.text = `delete ${netLabel(real, net)}${attached ? ` (${attached} VMs on it)` : ''}${used ? ` (in ${used} policies)` : ''}`;
    const response = await real.api.delete(`/api/v1/networks/${net.id}`);
    if (attached > 0 || used > 0) {
      refusedAs(response, 409, `deleting ${net.name}, which ${attached ? `${attached} VMs are attached to` : `${used} policies use`}`, 'conflict');
    } else {
      assert.equal(response.status, 200, `deleting ${net.name} was answered ${response.status} ${body(response)}`);
      assert.deepEqual(response.data, { id: net.id, status: 'deleted' }, `deleting ${net.name} answered ${body(response)}`);
      model.networks.splice(model.networks.indexOf(net), 1);
      model.goneNetworks.push({ id: net.id, name: net.name });
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'delete a segment';
}

// ---- attachments ----------------------------------------------------------------------------------

type AddressChoice = 'any free' | 'a free one' | 'the gateway' | 'a used one' | 'the broadcast address' | 'one outside the subnet';
const ADDRESSES: readonly AddressChoice[] = ['any free', 'any free', 'any free', 'any free', 'a free one', 'a free one', 'the gateway', 'a used one', 'the broadcast address', 'one outside the subnet'];

class Attach implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly vmIndex: number, readonly netIndex: number, readonly address: AddressChoice, readonly hostIndex: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const vm = this.vmIndex % real.vms.length;
    const net = pick(model.networks, this.netIndex) as ModelNetwork;
    const onNet = model.attachments.filter((a) => a.network === net);
    const already = onNet.some((a) => a.vm === vm);
    const used = new Set([net.gateway, ...onNet.map((a) => a.address)]);
    const free: number[] = [];
    for (let address = net.block.first + 1; address < net.block.last && free.length <= this.hostIndex; address++) if (!used.has(address)) free.push(address);
    // Only one thing wrong at a time: a VM already on the segment asks for nothing in particular.
    let choice = already ? 'any free' : this.address;
    if (choice === 'a free one' && free.length === 0) choice = 'any free';
    if (choice === 'a used one' && onNet.length === 0) choice = 'the gateway';
    const requested = {
      'any free': undefined,
      'a free one': pick(free, this.hostIndex),
      'the gateway': net.gateway,
      'a used one': pick(onNet, this.hostIndex)?.address,
      'the broadcast address': net.block.last,
      'one outside the subnet': net.block.last + 1 + (this.hostIndex % 3),
    }[choice];
    this.text = `attach vm ${vm + 1} to ${netLabel(real, net)} asking for ${choice === 'any free' ? 'any address' : `${choice} (${toText(requested as number)})`}`;
    const what = `attaching vm ${vm + 1} to ${net.name} (${cidr(net.block)}) with ${requested === undefined ? 'any address' : `the address ${toText(requested)} (${choice})`}`;
    const response = await real.api.post<Attachment>(`/api/v1/networks/${net.id}/attachments`, {
      vm_id: real.vms[vm].id,
      ...(requested === undefined ? {} : { ip_address: toText(requested) }),
    });
    if (already) {
      refusedAs(response, 409, `${what}, which is already attached to it`, 'conflict');
    } else if (choice === 'the broadcast address' || choice === 'one outside the subnet') {
      invalidField(response, 'ip_address', what);
    } else if (choice === 'the gateway' || choice === 'a used one') {
      refusedAs(response, 409, what, 'conflict');
    } else if (requested === undefined && free.length === 0) {
      refusedAs(response, 409, `${what}, which has no free address left`, 'exhausted');
    } else {
      assert.equal(response.status, 201, `${what} was answered ${response.status} ${body(response)}`);
      const address = toNumber(response.data.ip_address);
      if (requested === undefined) {
        assert.ok(address > net.block.first && address < net.block.last, `${what} gave ${response.data.ip_address}, not a host address of ${cidr(net.block)}`);
        assert.ok(!used.has(address), `${what} gave ${response.data.ip_address}, which is ${address === net.gateway ? 'the gateway' : 'in use already'}`);
      } else {
        assert.equal(response.data.ip_address, toText(requested), `${what} gave another address`);
      }
      const attachment: ModelAttachment = { network: net, vm, address, attached_at: response.data.attached_at };
      assert.deepEqual(response.data, attachmentView(attachment, real), `${what} answered another attachment`);
      model.attachments.push(attachment);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'attach a VM';
}

class AttachUnknownVm implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly netIndex: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const net = pick(model.networks, this.netIndex) as ModelNetwork;
    this.text = `attach a VM that does not exist to ${netLabel(real, net)}`;
    const response = await real.api.post(`/api/v1/networks/${net.id}/attachments`, { vm_id: 'vm-00000000-0000-4000-8000-000000000000' });
    if (response.status !== 404) invalidField(response, 'vm_id', `attaching a VM that does not exist to ${net.name}`);
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'attach an unknown VM';
}

/** The contract: a deleted VM leaves its segments within a second. */
const LEAVES_WITHIN_MS = 1_000;

/** A VM of its own attached to a segment, then deleted: it leaves the segment within a second. */
class AttachAndDeleteVm implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly netIndex: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const net = pick(model.networks, this.netIndex) as ModelNetwork;
    const onNet = model.attachments.filter((a) => a.network === net);
    this.text = `attach a VM of its own to ${netLabel(real, net)}, then delete the VM`;
    if (hostCount(net.block) - 1 - onNet.length > 0) {
      const [vm] = await helperVmsFor(real.world, 1, 'nd', 'deleting a VM attached to a segment');
      const attached = await real.api.post<Attachment>(`/api/v1/networks/${net.id}/attachments`, { vm_id: vm.id });
      assert.equal(attached.status, 201, `attaching ${vm.name} to ${net.name} was answered ${attached.status} ${body(attached)}`);
      const deleted = await real.api.delete(`/api/v1/vms/${vm.id}`);
      assert.equal(deleted.status, 200, `deleting ${vm.name}, attached to ${net.name}, was answered ${deleted.status} ${body(deleted)}`);
      await eventually(
        () => readWholeList<Attachment>(real.api, `/api/v1/networks/${net.id}/attachments`, 500, `the VMs on ${net.name}`),
        (listed) => !listed.some((a) => a.vm_id === vm.id),
        { timeoutMs: LEAVES_WITHIN_MS, intervalMs: 20, what: `the deleted ${vm.name} leaving ${net.name}` },
      );
    } else {
      this.text += ' (skipped: no free address)';
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'attach a VM of its own to a segment, then delete the VM';
}

class Detach implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly vmIndex: number, readonly netIndex: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const vm = this.vmIndex % real.vms.length;
    const net = pick(model.networks, this.netIndex) as ModelNetwork;
    const attachment = model.attachments.find((a) => a.network === net && a.vm === vm);
    this.text = `detach vm ${vm + 1} from ${netLabel(real, net)}${attachment ? '' : ' (not on it)'}`;
    const response = await real.api.delete(`/api/v1/networks/${net.id}/attachments/${real.vms[vm].id}`);
    if (!attachment) {
      refusedAs(response, 404, `detaching vm ${vm + 1} from ${net.name}, which it is not attached to`);
    } else {
      assert.equal(response.status, 200, `detaching vm ${vm + 1} from ${net.name} was answered ${response.status} ${body(response)}`);
      assert.deepEqual(response.data, { id: real.vms[vm].id, status: 'deleted' }, `detaching vm ${vm + 1} from ${net.name} answered ${body(response)}`);
      model.attachments.splice(model.attachments.indexOf(attachment), 1);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'detach a VM';
}

// ---- policies -------------------------------------------------------------------------------------

interface PolicySpec {
  protocol: Protocol;
  /** Indexes into POLICY_PORTS (tcp and udp only); none means every port. */
  ports: number[];
  action?: PolicyAction;
  priority?: number;
}

const describePolicy = (spec: PolicySpec) =>
  `${spec.action ?? 'allow'} ${spec.protocol}${spec.ports.length ? ` ${spec.ports.map((i) => POLICY_PORTS[i % POLICY_PORTS.length]).join(',')}` : ''} priority ${spec.priority ?? 'default'}`;

async function submitPolicy(real: NetworkSystem, request: Record<string, unknown>): Promise<ApiResponse<Policy>> {
  const response = await real.api.post<Policy>('/api/v1/network-policies', request);
  if (response.status === 201) {
    const { id, name } = response.data;
    real.world.ledger.add(`policy ${name} (${id})`, async () => {
      const deleted = await (await real.world.suite.admin()).delete(`/api/v1/network-policies/${id}`);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
    });
  }
  return response;
}

class CreatePolicy implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly from: number, readonly to: number, readonly spec: PolicySpec, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length >= 2 && model.policies.length < MAX_LIVE_POLICIES;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const source = pick(model.networks, this.from) as ModelNetwork;
    const destination = pick(model.networks.filter((net) => net !== source), this.to) as ModelNetwork;
    const name = nextName(model, real, 'policy');
    const portsAllowed = this.spec.protocol === 'tcp' || this.spec.protocol === 'udp';
    const ports = portsAllowed ? this.spec.ports.map((i) => POLICY_PORTS[i % POLICY_PORTS.length]) : [];
    const request: Record<string, unknown> = { name, source_network_id: source.id, destination_network_id: destination.id, protocol: this.spec.protocol, ports };
    if (this.spec.action) request.action = this.spec.action;
    if (this.spec.priority !== undefined) request.priority = this.spec.priority;
    this.text = `${label(real, name)}: ${describePolicy({ ...this.spec, ports: portsAllowed ? this.spec.ports : [] })} from ${netLabel(real, source)} to ${netLabel(real, destination)}`;
    const what = `creating the policy ${name} (${JSON.stringify(request)})`;
    const response = await submitPolicy(real, request);
    assert.equal(response.status, 201, `${what} was answered ${response.status} ${body(response)}`);
    const policy: ModelPolicy = {
      id: response.data.id,
      name,
      source,
      destination,
      protocol: this.spec.protocol,
      ports: [...new Set(ports)].sort((a, b) => a - b),
      action: this.spec.action ?? 'allow',
      priority: this.spec.priority ?? 100,
      created_at: response.data.created_at,
    };
    assert.deepEqual(seenPolicy(response.data), policyView(policy), `${what} answered another policy`);
    model.policies.push(policy);
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'create a policy';
}

/** Policy requests the contract refuses, and the field whose refusal must be named: segments that do not exist, then every case derived from the contract. */
const INVALID_POLICIES: readonly { what: string; field: string; request: (name: string, from: string, to: string) => Record<string, unknown> }[] = [
  { what: 'an unknown source', field: 'source_network_id', request: (name, _from, to) => ({ name, source_network_id: 'net-00000000-0000-4000-8000-000000000000', destination_network_id: to, protocol: 'tcp' }) },
  { what: 'an unknown destination', field: 'destination_network_id', request: (name, from) => ({ name, source_network_id: from, destination_network_id: 'net-00000000-0000-4000-8000-000000000000', protocol: 'tcp' }) },
  ...invalidBodies('NetworkPolicyRequest').map((invalid) => ({
    ...invalid,
    request: (name: string, from: string, to: string) => withInvalid({ name, source_network_id: from, destination_network_id: to, protocol: 'tcp' }, invalid),
  })),
];

class RequestInvalidPolicy implements NetworkCommand {
  constructor(readonly invalid: readonly number[], readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.networks.length >= 2;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const [from, to] = model.networks;
    for (const index of this.invalid) {
      const { what, field, request } = INVALID_POLICIES[index % INVALID_POLICIES.length];
      invalidField(await submitPolicy(real, request(`${real.prefix}bad`, from.id, to.id)), field, `a policy with ${what}`);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => `create a policy with ${this.invalid.map((index) => INVALID_POLICIES[index % INVALID_POLICIES.length].what).join(', then with ')}`;
}

class ReusePolicyName implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.policies.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const policy = pick(model.policies, this.index) as ModelPolicy;
    this.text = `create a second ${label(real, policy.name)}`;
    const response = await submitPolicy(real, { name: policy.name, source_network_id: policy.destination.id, destination_network_id: policy.source.id, protocol: 'icmp' });
    refusedAs(response, 409, `a second policy named ${policy.name}`, 'conflict');
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'reuse the name of a policy';
}

class DeletePolicy implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.policies.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const policy = pick(model.policies, this.index) as ModelPolicy;
    this.text = `delete ${label(real, policy.name)}`;
    const response = await real.api.delete(`/api/v1/network-policies/${policy.id}`);
    assert.equal(response.status, 200, `deleting the policy ${policy.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(response.data, { id: policy.id, status: 'deleted' }, `deleting the policy ${policy.name} answered ${body(response)}`);
    model.policies.splice(model.policies.indexOf(policy), 1);
    model.gonePolicies.push({ id: policy.id, name: policy.name });
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? 'delete a policy';
}

type Touch = 'read the segment' | 'list its VMs' | 'attach a VM to the segment' | 'delete the segment' | 'read the policy' | 'delete the policy';

class TouchDeleted implements NetworkCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly touches: readonly Touch[], readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = (model: Readonly<NetworkModel>) => model.goneNetworks.length > 0 || model.gonePolicies.length > 0;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    const net = pick(model.goneNetworks, this.index);
    const policy = pick(model.gonePolicies, this.index);
    const done: string[] = [];
    for (const touch of this.touches) {
      const target = touch.endsWith('policy') ? policy : net;
      if (!target) continue;
      done.push(`${touch} (deleted ${label(real, target.name)})`);
      const response = await {
        'read the segment': () => real.api.get(`/api/v1/networks/${target.id}`, { retries: 0 }),
        'list its VMs': () => real.api.get(`/api/v1/networks/${target.id}/attachments`, { retries: 0 }),
        'attach a VM to the segment': () => real.api.post(`/api/v1/networks/${target.id}/attachments`, { vm_id: real.vms[0].id }),
        'delete the segment': () => real.api.delete(`/api/v1/networks/${target.id}`),
        'read the policy': () => real.api.get(`/api/v1/network-policies/${target.id}`, { retries: 0 }),
        'delete the policy': () => real.api.delete(`/api/v1/network-policies/${target.id}`),
      }[touch]();
      refusedAs(response, 404, `asking to ${touch} ${target.name} after it was deleted`);
    }
    this.text = done.join(', ');
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => this.text ?? `${this.touches.join(', ')} after deletion`;
}

/** Connectivity questions the contract refuses: ports that do not fit the protocol, VMs that do not exist, then every case derived from the contract. */
const INVALID_TESTS: readonly { what: string; field: string; request: (from: string, to: string) => Record<string, unknown> }[] = [
  { what: 'tcp without a port', field: 'port', request: (from, to) => ({ source_vm_id: from, destination_vm_id: to, protocol: 'tcp' }) },
  { what: 'icmp with a port', field: 'port', request: (from, to) => ({ source_vm_id: from, destination_vm_id: to, protocol: 'icmp', port: 7 }) },
  { what: 'an unknown source', field: 'source_vm_id', request: (_from, to) => ({ source_vm_id: 'vm-00000000-0000-4000-8000-000000000000', destination_vm_id: to, protocol: 'tcp', port: 80 }) },
  { what: 'an unknown destination', field: 'destination_vm_id', request: (from) => ({ source_vm_id: from, destination_vm_id: 'vm-00000000-0000-4000-8000-000000000000', protocol: 'tcp', port: 80 }) },
  ...invalidBodies('ConnectivityTestRequest').map((invalid) => ({
    ...invalid,
    request: (from: string, to: string) => withInvalid({ source_vm_id: from, destination_vm_id: to, protocol: 'tcp', port: 80 }, invalid),
  })),
];

class AskInvalid implements NetworkCommand {
  constructor(readonly invalid: readonly number[], readonly probes: readonly Probe[], readonly pageSize: number) {}
  check = () => true;
  async run(model: NetworkModel, real: NetworkSystem): Promise<void> {
    for (const index of this.invalid) {
      const { what, field, request } = INVALID_TESTS[index % INVALID_TESTS.length];
      const response = await real.api.post('/api/v1/networks/connectivity-test', request(real.vms[0].id, real.vms[1].id));
      invalidField(response, field, `a connectivity test with ${what}`);
    }
    await checkEveryView(model, real, this.probes, this.pageSize);
  }
  toString = () => `test connectivity with ${this.invalid.map((index) => INVALID_TESTS[index % INVALID_TESTS.length].what).join(', then with ')}`;
}

// ---- every view against the model ----------------------------------------------------------------

function networkView(net: ModelNetwork): Network {
  return { id: net.id, name: net.name, subnet: cidr(net.block), type: net.type, gateway: toText(net.gateway), created_at: net.created_at };
}

function attachmentView(attachment: ModelAttachment, real: NetworkSystem): Attachment {
  return { network_id: attachment.network.id, vm_id: real.vms[attachment.vm].id, ip_address: toText(attachment.address), attached_at: attachment.attached_at };
}

function policyView(policy: ModelPolicy): Policy {
  return {
    id: policy.id,
    name: policy.name,
    source_network_id: policy.source.id,
    destination_network_id: policy.destination.id,
    protocol: policy.protocol,
    ports: policy.ports,
    action: policy.action,
    priority: policy.priority,
    created_at: policy.created_at,
  };
}

/** A policy as answered; the contract does not prescribe the order of its ports. */
function seenPolicy(policy: Policy): Policy {
  return { ...policy, ports: [...policy.ports].sort((a, b) => a - b) };
}

/** Every page of an unfiltered list at `pageSize`; every page's total counts exactly what the pages hold. */
async function readWholeList<T>(api: ApiClient, path: string, pageSize: number, what: string): Promise<T[]> {
  const { items, totals } = await readAllPages<T>(api, path, {}, pageSize, what);
  for (const total of totals) assert.equal(total, items.length, `${what} gives a total of ${total}, but ${items.length} entries are on its pages (${pageSize} a page)`);
  return items;
}

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

async function expectNetworks(real: NetworkSystem, model: NetworkModel, pageSize: number): Promise<void> {
  for (const net of model.networks) {
    const response = await real.api.get<Network>(`/api/v1/networks/${net.id}`, { retries: 0 });
    assert.equal(response.status, 200, `reading the segment ${net.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(response.data, networkView(net), `the details of the segment ${net.name} differ from what was done to it`);
  }
  for (const gone of model.goneNetworks) {
    const response = await real.api.get(`/api/v1/networks/${gone.id}`, { retries: 0 });
    assert.equal(response.status, 404, `the segment ${gone.name} was deleted, but reading it was answered ${response.status} ${body(response)}`);
  }
  const listed = await readWholeList<Network>(real.api, '/api/v1/networks', pageSize, 'the list of the segments');
  const ids = listed.map((net) => net.id);
  assert.equal(new Set(ids).size, ids.length, `the list of the segments, read ${pageSize} a page, lists a segment twice`);
  const ours = listed.filter((net) => net.name.startsWith(real.prefix)).sort(byKey((net) => net.id));
  assert.deepEqual(ours, model.networks.map(networkView).sort(byKey((net) => net.id)), `the list of the segments, read ${pageSize} a page, differs from the segments there are`);
}

async function expectAttachments(real: NetworkSystem, model: NetworkModel, pageSize: number): Promise<void> {
  for (const net of model.networks) {
    const what = `the list of the VMs on ${net.name}`;
    const listed = await readWholeList<Attachment>(real.api, `/api/v1/networks/${net.id}/attachments`, pageSize, what);
    const expected = model.attachments.filter((a) => a.network === net).map((a) => attachmentView(a, real));
    assert.deepEqual([...listed].sort(byKey((a) => a.vm_id)), expected.sort(byKey((a) => a.vm_id)), `${what}, read ${pageSize} a page, differs from the VMs attached to it`);
  }
}

/** The policies: details, the list (ours exactly), and the list's evaluation order; returns ours in that order. */
async function expectPolicies(real: NetworkSystem, model: NetworkModel, pageSize: number): Promise<ModelPolicy[]> {
  for (const policy of model.policies) {
    const response = await real.api.get<Policy>(`/api/v1/network-policies/${policy.id}`, { retries: 0 });
    assert.equal(response.status, 200, `reading the policy ${policy.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(seenPolicy(response.data), policyView(policy), `the details of the policy ${policy.name} differ from what was asked for`);
  }
  for (const gone of model.gonePolicies) {
    const response = await real.api.get(`/api/v1/network-policies/${gone.id}`, { retries: 0 });
    assert.equal(response.status, 404, `the policy ${gone.name} was deleted, but reading it was answered ${response.status} ${body(response)}`);
  }
  const listed = await readWholeList<Policy>(real.api, '/api/v1/network-policies', pageSize, 'the list of the policies');
  const ids = listed.map((policy) => policy.id);
  assert.equal(new Set(ids).size, ids.length, `the list of the policies, read ${pageSize} a page, lists a policy twice`);
  listed.forEach((policy, i) => {
    if (i > 0) assert.ok(listed[i - 1].priority <= policy.priority, `the list of the policies is not in evaluation order: priority ${listed[i - 1].priority} (${listed[i - 1].name}) before ${policy.priority} (${policy.name})`);
  });
  const ours = listed.filter((policy) => policy.name.startsWith(real.prefix));
  assert.deepEqual(
    [...ours].map(seenPolicy).sort(byKey((policy) => policy.id)),
    model.policies.map(policyView).sort(byKey((policy) => policy.id)),
    `the list of the policies, read ${pageSize} a page, differs from the policies there are`,
  );
  return ours.map((seenOne) => model.policies.find((policy) => policy.id === seenOne.id) as ModelPolicy);
}

interface Decision {
  reachable: boolean;
  decided_by: string;
  rule: Verdict['rule'];
}

/** What decides traffic from one segment to another: the first matching policy in evaluation order, else the built-in rules. */
function decide(order: readonly ModelPolicy[], from: ModelNetwork, to: ModelNetwork, probe: Probe): Decision {
  const policy = order.find(
    (p) =>
      p.source === from &&
      p.destination === to &&
      (p.protocol === 'any' || p.protocol === probe.protocol) &&
      (p.ports.length === 0 || (probe.port !== null && p.ports.includes(probe.port))),
  );
  if (policy) return { reachable: policy.action === 'allow', decided_by: policy.id, rule: { kind: 'policy', id: policy.id, name: policy.name, action: policy.action } };
  if (from === to) return { reachable: true, decided_by: 'same-segment', rule: { kind: 'built-in', id: 'same-segment' } };
  return { reachable: false, decided_by: 'default-deny', rule: { kind: 'built-in', id: 'default-deny' } };
}

/** The reachability matrix: every ordered pair of the check's VMs, for each probe, against the model's verdict. */
async function expectReachability(real: NetworkSystem, model: NetworkModel, order: readonly ModelPolicy[], probes: readonly Probe[]): Promise<void> {
  const netNames = (vm: number) => model.attachments.filter((a) => a.vm === vm).map((a) => a.network.name).join(', ') || 'no segment';
  for (const probe of probes) {
    for (let from = 0; from < real.vms.length; from++) {
      for (let to = 0; to < real.vms.length; to++) {
        if (from === to) continue;
        const response = await real.api.post<Verdict>('/api/v1/networks/connectivity-test', {
          source_vm_id: real.vms[from].id,
          destination_vm_id: real.vms[to].id,
          protocol: probe.protocol,
          ...(probe.port === null ? {} : { port: probe.port }),
        });
        const question = `whether vm ${from + 1} (on ${netNames(from)}) reaches vm ${to + 1} (on ${netNames(to)}) over ${describeProbe(probe)}`;
        assert.equal(response.status, 200, `asking ${question} was answered ${response.status} ${body(response)}`);
        const verdict = response.data;
        const said = `the target says ${verdict.reachable ? 'reachable' : 'not reachable'}, decided by ${verdict.decided_by} between ${verdict.source.network_id} and ${verdict.destination.network_id} ("${verdict.reason}")`;
        assert.deepEqual(
          { protocol: verdict.protocol, port: verdict.port, source: verdict.source.vm_id, destination: verdict.destination.vm_id },
          { protocol: probe.protocol, port: probe.port, source: real.vms[from].id, destination: real.vms[to].id },
          `asked ${question}, the verdict is about other traffic: ${said}`,
        );
        assert.ok(typeof verdict.reason === 'string' && verdict.reason.length > 0, `asked ${question}, the verdict gives no reason`);
        const sources = model.attachments.filter((a) => a.vm === from);
        const destinations = model.attachments.filter((a) => a.vm === to);
        if (sources.length === 0 || destinations.length === 0) {
          assert.deepEqual(
            { reachable: verdict.reachable, decided_by: verdict.decided_by, rule: verdict.rule },
            { reachable: false, decided_by: 'not-attached', rule: { kind: 'built-in', id: 'not-attached' } },
            `asked ${question}: ${said}`,
          );
          for (const [end, attachments] of [[verdict.source, sources], [verdict.destination, destinations]] as const) {
            const none = end.network_id === null && end.ip_address === null;
            const known = attachments.some((a) => a.network.id === end.network_id && toText(a.address) === end.ip_address);
            assert.ok(attachments.length === 0 ? none : none || known, `asked ${question}, the verdict gives ${end.vm_id} an interface it does not have: ${JSON.stringify(end)}`);
          }
          continue;
        }
        const pairs = sources.flatMap((s) => destinations.map((d) => ({ s, d, decision: decide(order, s.network, d.network, probe) })));
        const reachable = pairs.some((pair) => pair.decision.reachable);
        const why = pairs.map((pair) => `${pair.s.network.name} -> ${pair.d.network.name}: ${pair.decision.reachable ? 'allowed' : 'denied'} by ${pair.decision.decided_by}`).join('; ');
        assert.equal(verdict.reachable, reachable, `asked ${question}, ${said}; the model says ${reachable ? 'reachable' : 'not reachable'} (${why})`);
        const used = pairs.find(
          (pair) =>
            pair.s.network.id === verdict.source.network_id &&
            toText(pair.s.address) === verdict.source.ip_address &&
            pair.d.network.id === verdict.destination.network_id &&
            toText(pair.d.address) === verdict.destination.ip_address,
        );
        assert.ok(used, `asked ${question}, the verdict names interfaces the VMs do not have: ${JSON.stringify({ source: verdict.source, destination: verdict.destination })}`);
        assert.equal(used.decision.reachable, reachable, `asked ${question}, the verdict explains itself by a pair of segments that decides otherwise: ${said} (${why})`);
        assert.deepEqual({ decided_by: verdict.decided_by, rule: verdict.rule }, { decided_by: used.decision.decided_by, rule: used.decision.rule }, `asked ${question}, ${said}; the model says ${why}`);
      }
    }
  }
}

/** Every view of the sequence's segments, attachments and policies agrees with the model; then the reachability matrix. */
/** The segments, attachments and policies as stored in the target's database are exactly the model's, and none of the deleted. */
async function expectStored(real: NetworkSystem, model: NetworkModel): Promise<void> {
  const netIds = [...model.networks, ...model.goneNetworks].map((net) => net.id);
  const policyIds = [...model.policies, ...model.gonePolicies].map((policy) => policy.id);
  const stored = await readStored(real.world, 'segments and policies', ['network_segments', 'network_attachments', 'network_policies'], async (db) => ({
    networks: (await db.query<{ record: Network }>('SELECT record FROM network_segments WHERE id = ANY($1)', [netIds])).rows.map((row) => row.record),
    attachments: (await db.query<{ record: Attachment }>('SELECT record FROM network_attachments WHERE network_id = ANY($1)', [netIds])).rows.map((row) => row.record),
    policies: (await db.query<{ record: Policy }>('SELECT record FROM network_policies WHERE id = ANY($1)', [policyIds])).rows.map((row) => row.record),
  }));
  if (!stored) return;
  const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));
  const netKey = byKey<Network>((net) => net.id);
  assert.deepEqual([...stored.networks].sort(netKey), model.networks.map(networkView).sort(netKey), 'the segments as stored in the database differ from what was done to them');
  const attachmentKey = byKey<Attachment>((a) => `${a.network_id} ${a.vm_id}`);
  assert.deepEqual(
    [...stored.attachments].sort(attachmentKey),
    model.attachments.map((a) => attachmentView(a, real)).sort(attachmentKey),
    'the attachments as stored in the database differ from what was done to the segments',
  );
  const policyKey = byKey<Policy>((policy) => policy.id);
  assert.deepEqual([...stored.policies].sort(policyKey), model.policies.map(policyView).sort(policyKey), 'the policies as stored in the database differ from what was done to them');
}

export async function checkEveryView(model: NetworkModel, real: NetworkSystem, probes: readonly Probe[], pageSize: number): Promise<void> {
  await expectNetworks(real, model, pageSize);
  await expectAttachments(real, model, pageSize);
  const order = await expectPolicies(real, model, pageSize);
  await expectReachability(real, model, order, probes);
  await expectStored(real, model);
}

// ---- the check ------------------------------------------------------------------------------------

const pageSizeArb = fc.integer({ min: 1, max: 4 });
const indexArb = fc.nat({ max: 50 });
const probesArb = fc.uniqueArray(fc.constantFrom(...PROBES), { minLength: 2, maxLength: 2 });
const policyArb: fc.Arbitrary<PolicySpec> = fc.record(
  {
    protocol: fc.constantFrom<Protocol>('tcp', 'tcp', 'udp', 'icmp', 'any'),
    ports: fc.uniqueArray(fc.nat({ max: POLICY_PORTS.length - 1 }), { maxLength: 2 }),
    action: fc.constantFrom<PolicyAction>('allow', 'allow', 'deny'),
    priority: fc.constantFrom(1, 10, 50, 100, 100, 200, 1000),
  },
  { requiredKeys: ['protocol', 'ports'] },
);

const createArb = fc
  .tuple(fc.nat({ max: PREFIXES.length - 1 }), fc.nat({ max: 7 }), fc.option(fc.constantFrom(...TYPES), { nil: undefined }), fc.constantFrom<GatewayChoice>('default', 'default', 'default', 'host'), indexArb, probesArb, pageSizeArb, fc.boolean())
  .map(([prefix, block, type, gateway, host, probes, size, fresh]) => new CreateNetwork(prefix, block, type, gateway, host, probes, size, fresh));
const attachArb = fc
  .tuple(indexArb, indexArb, fc.constantFrom(...ADDRESSES), indexArb, probesArb, pageSizeArb)
  .map(([vm, net, address, host, probes, size]) => new Attach(vm, net, address, host, probes, size));
const policyCommandArb = fc.tuple(indexArb, indexArb, policyArb, probesArb, pageSizeArb).map(([from, to, spec, probes, size]) => new CreatePolicy(from, to, spec, probes, size));

/** A request the contract refuses: a segment, a policy or a connectivity question. */
const refusalArb = fc.oneof(
  fc
    .tuple(fc.nat({ max: PREFIXES.length - 1 }), fc.nat({ max: 7 }), fc.constantFrom<GatewayChoice>('network address', 'broadcast address', 'outside the subnet', 'not an address'), indexArb, probesArb, pageSizeArb)
    .map(([prefix, block, gateway, host, probes, size]): NetworkCommand => new CreateNetwork(prefix, block, undefined, gateway, host, probes, size)),
  fc.tuple(fc.nat({ max: INVALID_NETWORKS.length - 1 }), probesArb, pageSizeArb).map(([invalid, probes, size]): NetworkCommand => new RequestInvalidNetwork([invalid], probes, size)),
  fc.tuple(fc.nat({ max: INVALID_POLICIES.length - 1 }), probesArb, pageSizeArb).map(([invalid, probes, size]): NetworkCommand => new RequestInvalidPolicy([invalid], probes, size)),
  fc.tuple(fc.nat({ max: INVALID_TESTS.length - 1 }), probesArb, pageSizeArb).map(([invalid, probes, size]): NetworkCommand => new AskInvalid([invalid], probes, size)),
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([net, probes, size]): NetworkCommand => new AttachUnknownVm(net, probes, size)),
);

/** Each kind of operation; the ones that build up segments, attachments and policies more often. */
export const NETWORK_COMMANDS: fc.Arbitrary<NetworkCommand>[] = [
  createArb,
  createArb,
  createArb,
  attachArb,
  attachArb,
  attachArb,
  attachArb,
  policyCommandArb,
  policyCommandArb,
  policyCommandArb,
  refusalArb,
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([index, probes, size]) => new ReuseNetworkName(index, probes, size)),
  fc.tuple(indexArb, indexArb, probesArb, pageSizeArb).map(([vm, net, probes, size]) => new Detach(vm, net, probes, size)),
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([net, probes, size]): NetworkCommand => new AttachAndDeleteVm(net, probes, size)),
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([index, probes, size]) => new ReusePolicyName(index, probes, size)),
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([index, probes, size]) => new DeletePolicy(index, probes, size)),
  fc.tuple(indexArb, probesArb, pageSizeArb).map(([index, probes, size]) => new DeleteNetwork(index, probes, size)),
  fc
    .tuple(indexArb, fc.constantFrom<Touch>('read the segment', 'list its VMs', 'attach a VM to the segment', 'delete the segment', 'read the policy', 'delete the policy'), probesArb, pageSizeArb)
    .map(([index, touch, probes, size]) => new TouchDeleted(index, [touch], probes, size)),
];

/** Every kind of operation, refusals included, each followed by every view (all probes on the way): what every run checks first. */
function networkTour(): NetworkCommand[] {
  const [tcp22, tcp80, tcp443, tcp5432, tcp8080, udp5432, udp53, icmp] = PROBES;
  const prefixOf = (prefix: number) => PREFIXES.indexOf(prefix as (typeof PREFIXES)[number]);
  return [
    new CreateNetwork(prefixOf(24), 1, undefined, 'default', 0, [tcp22, icmp], 1), // net 1: 172.16.1.0/24
    new CreateNetwork(prefixOf(24), 2, 'nat', 'host', 9, [tcp80, udp53], 2), // net 2: 172.16.2.0/24, gateway .10
    new CreateNetwork(prefixOf(30), 0, 'overlay', 'default', 0, [tcp443, udp5432], 3), // net 3: 172.16.0.0/30
    new CreateNetwork(prefixOf(28), 0, undefined, 'default', 0, [tcp5432, tcp8080], 4), // 172.16.0.0/28 holds net 3: refused
    new CreateNetwork(prefixOf(16), 0, 'overlay', 'default', 0, [tcp22, icmp], 1), // 172.16.0.0/16 holds them all: refused
    new CreateNetwork(prefixOf(24), 1, 'nat', 'default', 0, [tcp80, udp53], 2), // net 1's subnet: refused
    new CreateNetwork(prefixOf(28), 3, undefined, 'network address', 0, [tcp80, udp53], 2), // 172.16.0.48/28, free, bad gateways
    new CreateNetwork(prefixOf(28), 3, undefined, 'broadcast address', 0, [tcp80, udp53], 3),
    new CreateNetwork(prefixOf(28), 3, undefined, 'outside the subnet', 0, [tcp80, udp53], 4),
    new CreateNetwork(prefixOf(28), 3, undefined, 'not an address', 0, [tcp80, udp53], 1),
    new RequestInvalidNetwork(INVALID_NETWORKS.map((_, i) => i), [tcp443, udp5432], 2),
    new ReuseNetworkName(0, [tcp5432, tcp8080], 3),
    new Attach(0, 0, 'any free', 0, [tcp22, icmp], 4), // vm 1 on net 1
    new Attach(0, 0, 'any free', 0, [tcp80, udp53], 1), // again: refused
    new Attach(1, 0, 'the gateway', 0, [tcp443, udp5432], 2),
    new Attach(1, 0, 'a used one', 0, [tcp5432, tcp8080], 3),
    new Attach(1, 0, 'the broadcast address', 0, [tcp22, icmp], 4),
    new Attach(1, 0, 'one outside the subnet', 1, [tcp80, udp53], 1),
    new Attach(1, 0, 'a free one', 7, [tcp443, udp5432], 2), // vm 2 on net 1
    new Attach(1, 1, 'any free', 0, [tcp5432, tcp8080], 3), // vm 2 also on net 2
    new Attach(2, 1, 'any free', 0, [tcp22, icmp], 4), // vm 3 on net 2
    new Attach(2, 2, 'any free', 0, [tcp5432, udp5432], 1), // vm 3 on net 3 (/30: its only free address)
    new Attach(0, 2, 'any free', 0, [tcp80, udp53], 2), // net 3 has no free address: refused
    new AttachUnknownVm(0, [tcp443, udp5432], 3),
    new Detach(2, 0, [tcp5432, tcp8080], 4), // vm 3 is not on net 1: not found
    new AttachAndDeleteVm(0, [tcp22, icmp], 1), // a VM of its own on net 1, deleted: it leaves net 1
    new CreatePolicy(0, 0, { protocol: 'tcp', ports: [3], action: 'allow' }, [tcp5432, tcp22], 1), // net 1 -> net 2 tcp/5432
    new CreatePolicy(0, 0, { protocol: 'any', ports: [], action: 'deny', priority: 10 }, [tcp5432, icmp], 2), // net 1 -> net 2 everything denied first
    new CreatePolicy(1, 0, { protocol: 'udp', ports: [], action: 'allow', priority: 100 }, [udp53, udp5432], 3), // net 2 -> net 1 every udp port
    new CreatePolicy(0, 1, { protocol: 'icmp', ports: [], priority: 100 }, [icmp, tcp80], 4), // net 1 -> net 3 icmp
    new CreatePolicy(2, 0, { protocol: 'tcp', ports: [0, 1], action: 'deny', priority: 100 }, [tcp22, tcp80], 1), // net 3 -> net 1 tcp 22,80 denied
    new RequestInvalidPolicy(INVALID_POLICIES.map((_, i) => i), [tcp443, udp5432], 2),
    new ReusePolicyName(0, [tcp5432, tcp8080], 3),
    new AskInvalid(INVALID_TESTS.map((_, i) => i), [tcp22, icmp], 4),
    new DeletePolicy(1, [tcp5432, icmp], 1), // the deny: net 1 -> net 2 tcp/5432 allowed again
    new DeleteNetwork(0, [tcp80, udp53], 2), // net 1 has VMs and policies: refused
    new Detach(0, 0, [tcp22, icmp], 3), // vm 1 leaves net 1: it reaches nothing
    new Detach(1, 0, [tcp443, udp5432], 4), // vm 2 leaves net 1
    new DeleteNetwork(0, [tcp5432, tcp8080], 1), // policies still use net 1: refused
    new DeletePolicy(0, [tcp5432, udp53], 2),
    new DeletePolicy(0, [udp53, icmp], 3),
    new DeletePolicy(0, [icmp, tcp22], 4),
    new DeletePolicy(0, [tcp22, tcp80], 1),
    new DeleteNetwork(0, [tcp80, icmp], 2), // net 1, now unused
    new TouchDeleted(0, ['read the segment', 'list its VMs', 'attach a VM to the segment', 'delete the segment', 'read the policy', 'delete the policy'], [tcp22, udp53], 3),
    new CreateNetwork(prefixOf(24), 1, undefined, 'default', 0, [tcp22, icmp], 4), // net 1's subnet is free again
    new CreatePolicy(0, 0, { protocol: 'tcp', ports: [4, 5], action: 'allow', priority: 1 }, [tcp22, tcp80], 1), // ports 1 and 65535, priority 1: the lowest limits, accepted
    new CreatePolicy(1, 0, { protocol: 'udp', ports: [5], action: 'deny', priority: 1000 }, [udp53, icmp], 2), // port 65535, priority 1000: the highest, accepted
  ];
}


export function networkModelCheck(world: NovaWorld): ModelCheck<NetworkModel, NetworkSystem> {
  let sequence = 0;
  let vms: { id: string; name: string }[] | undefined;
  return {
    domain: 'networks and their policies',
    commands: NETWORK_COMMANDS,
    tour: networkTour,
    async setup() {
      sequence += 1;
      const api = world.actor.api;
      vms ??= await helperVmsFor(world, VMS_PER_CHECK, 'nv', 'the segments');
      const real: NetworkSystem = { world, api, prefix: `n${world.runId}s${sequence}-`, vms };
      const foreign = (await readWholeList<Network>(api, '/api/v1/networks', 500, 'the segments there are')).map((net) => parseCidr(net.subnet));
      return { model: { networks: [], attachments: [], policies: [], goneNetworks: [], gonePolicies: [], foreign, issued: 0 }, real };
    },
    async teardown(real) {
      const admin = await world.suite.admin();
      const policies = await readWholeList<Policy>(admin, '/api/v1/network-policies', 500, 'the policies');
      for (const policy of policies.filter((p) => p.name.startsWith(real.prefix))) await admin.delete(`/api/v1/network-policies/${policy.id}`);
      const networks = await readWholeList<Network>(admin, '/api/v1/networks', 500, 'the segments');
      for (const net of networks.filter((n) => n.name.startsWith(real.prefix))) await removeNetwork(world, net.id);
    },
  };
}

export async function checkNetworkModel(world: NovaWorld): Promise<void> {
  await runModelCheck(world, networkModelCheck(world));
}
