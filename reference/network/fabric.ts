import { randomUUID } from 'node:crypto';
import { contains, formatIPv4, formatSubnet, isHostAddress, overlaps, parseIPv4, parseSegmentSubnet, type Subnet } from './cidr';
import { NetworkError } from './errors';
import { NETWORK_FAULTS, type NetworkFaultFlags } from './faults';
import {
  NETWORK_TYPES,
  type Attachment,
  type ConnectivityVerdict,
  type Network,
  type NetworkPolicy,
  type NetworkSnapshot,
  type NetworkType,
  type Protocol,
} from './model';
import { byEvaluationOrder, isPort, parseProtocol, policyMatches, validatePolicyInput, type PolicyInput } from './policies';

export interface NetworkFabricOptions {
  now?: () => number;
  newId?: (prefix: string) => string;
  /** Defects to simulate (reference/network/faults.ts). */
  faults?: NetworkFaultFlags;
}

export interface NetworkInput {
  name?: unknown;
  subnet?: unknown;
  type?: unknown;
  gateway?: unknown;
}

export interface ConnectivityQuery {
  source_vm_id: string;
  destination_vm_id: string;
  protocol?: unknown;
  port?: unknown;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

interface Segment {
  network: Network;
  subnet: Subnet;
  gateway: number;
}

/**
 * Network segments, VM attachments with address allocation, and policies between segments.
 * Traffic inside a segment is allowed, traffic between segments is denied unless a policy allows it.
 */
export class NetworkFabric {
  private readonly segments = new Map<string, Segment>();
  private readonly attachments = new Map<string, Attachment>();
  private readonly policies = new Map<string, NetworkPolicy>();
  /** The policies in evaluation order, computed when first needed after a change. */
  private evaluationOrder: NetworkPolicy[] | undefined;
  private readonly now: () => number;
  private readonly newId: (prefix: string) => string;
  private readonly faults: NetworkFaultFlags;

  constructor(options: NetworkFabricOptions = {}) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? ((prefix) => `${prefix}-${randomUUID()}`);
    this.faults = options.faults ?? NETWORK_FAULTS.none;
  }

  // ---- segments -------------------------------------------------------------------------------

  createNetwork(input: NetworkInput): Network {
    const { name } = input;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new NetworkError('invalid', `name ${JSON.stringify(name)} is invalid: expected 1-63 characters [a-z0-9-] starting with a letter`, 'name');
    }
    const type = input.type ?? 'bridged';
    if (typeof type !== 'string' || !(NETWORK_TYPES as readonly string[]).includes(type)) {
      throw new NetworkError('invalid', `type ${JSON.stringify(type)} is invalid: expected one of ${NETWORK_TYPES.join(', ')}`, 'type');
    }
    const subnet = parseSegmentSubnet(input.subnet, 'subnet', { allowHostBits: this.faults.acceptsHostBits });
    const gateway = this.gatewayFor(subnet, input.gateway);
    for (const existing of this.segments.values()) {
      if (existing.network.name === name) {
        throw new NetworkError('conflict', `a network named "${name}" already exists (${existing.network.id})`, 'name');
      }
      if (overlaps(existing.subnet, subnet) && !this.faults.acceptsOverlap) {
        throw new NetworkError(
          'conflict',
          `subnet ${formatSubnet(subnet)} overlaps network "${existing.network.name}" (${existing.network.subnet})`,
          'subnet',
        );
      }
    }
    const network: Network = {
      id: this.newId('net'),
      name,
      subnet: formatSubnet(subnet),
      type: type as NetworkType,
      gateway: formatIPv4(gateway),
      created_at: this.timestamp(),
    };
    this.segments.set(network.id, { network, subnet, gateway });
    return { ...network };
  }

  getNetwork(id: string): Network {
    return { ...this.segment(id).network };
  }

  listNetworks(): Network[] {
    return [...this.segments.values()].map((segment) => ({ ...segment.network }));
  }

  deleteNetwork(id: string): void {
    const segment = this.segment(id);
    const attached = this.attachmentsOf(id);
    if (attached.length > 0) {
      throw new NetworkError('conflict', `network "${segment.network.name}" still has ${attached.length} attached VM(s): detach them first`);
    }
    const policy = [...this.policies.values()].find((p) => p.source_network_id === id || p.destination_network_id === id);
    if (policy) {
      throw new NetworkError('conflict', `network "${segment.network.name}" is used by policy "${policy.name}" (${policy.id}): delete the policy first`);
    }
    this.segments.delete(id);
  }

  // ---- attachments ----------------------------------------------------------------------------

  attach(networkId: string, vmId: string, requestedAddress?: unknown): Attachment {
    const segment = this.segment(networkId);
    if (this.attachments.has(attachmentKey(networkId, vmId))) {
      throw new NetworkError('conflict', `VM ${vmId} is already attached to network "${segment.network.name}"`);
    }
    const address = requestedAddress === undefined || requestedAddress === null
      ? this.nextFreeAddress(segment)
      : this.checkRequestedAddress(segment, requestedAddress);
    const attachment: Attachment = {
      network_id: networkId,
      vm_id: vmId,
      ip_address: formatIPv4(address),
      attached_at: this.timestamp(),
    };
    this.attachments.set(attachmentKey(networkId, vmId), attachment);
    return { ...attachment };
  }

  detach(networkId: string, vmId: string): Attachment {
    const segment = this.segment(networkId);
    const key = attachmentKey(networkId, vmId);
    const attachment = this.attachments.get(key);
    if (!attachment) throw new NetworkError('not_found', `VM ${vmId} is not attached to network "${segment.network.name}"`);
    this.attachments.delete(key);
    return { ...attachment };
  }

  /** Removes every attachment of a VM (the VM was deleted); returns what was removed. */
  detachEverywhere(vmId: string): Attachment[] {
    const removed = [...this.attachments.values()].filter((a) => a.vm_id === vmId);
    for (const attachment of removed) this.attachments.delete(attachmentKey(attachment.network_id, vmId));
    return removed;
  }

  attachmentsOf(networkId: string): Attachment[] {
    return [...this.attachments.values()].filter((a) => a.network_id === networkId).map((a) => ({ ...a }));
  }

  attachmentsOfVm(vmId: string): Attachment[] {
    return [...this.attachments.values()].filter((a) => a.vm_id === vmId).map((a) => ({ ...a }));
  }

  // ---- policies -------------------------------------------------------------------------------

  createPolicy(input: PolicyInput): NetworkPolicy {
    const valid = validatePolicyInput(input);
    for (const field of ['source_network_id', 'destination_network_id'] as const) {
      if (!this.segments.has(valid[field])) {
        throw new NetworkError('invalid', `${field} "${valid[field]}" is not a known network`, field);
      }
    }
    if ([...this.policies.values()].some((p) => p.name === valid.name)) {
      throw new NetworkError('conflict', `a network policy named "${valid.name}" already exists`, 'name');
    }
    const policy: NetworkPolicy = { id: this.newId('pol'), ...valid, created_at: this.timestamp() };
    this.policies.set(policy.id, policy);
    this.evaluationOrder = undefined;
    return clonePolicy(policy);
  }

  getPolicy(id: string): NetworkPolicy {
    const policy = this.policies.get(id);
    if (!policy) throw new NetworkError('not_found', `network policy ${id} not found`);
    return clonePolicy(policy);
  }

  listPolicies(): NetworkPolicy[] {
    return [...this.policies.values()].sort(byEvaluationOrder).map(clonePolicy);
  }

  deletePolicy(id: string): void {
    this.getPolicy(id);
    this.policies.delete(id);
    if (!this.faults.deletedPolicyCached) this.evaluationOrder = undefined;
  }

  // ---- connectivity ---------------------------------------------------------------------------

  /** Would traffic from one VM reach another? Names the rule that decided. */
  testConnectivity(query: ConnectivityQuery): ConnectivityVerdict {
    const protocol = parseProtocol(query.protocol ?? 'tcp');
    const port = this.checkPort(protocol, query.port);
    const interfaces = (vmId: string) => this.attachmentsOfVm(vmId).slice(0, this.faults.firstInterfaceOnly ? 1 : undefined);
    const sources = interfaces(query.source_vm_id);
    const destinations = interfaces(query.destination_vm_id);
    const endpoint = (vmId: string, attachment?: Attachment) => ({
      vm_id: vmId,
      network_id: attachment?.network_id ?? null,
      ip_address: attachment?.ip_address ?? null,
    });
    if (sources.length === 0 || destinations.length === 0) {
      const missing = sources.length === 0 ? query.source_vm_id : query.destination_vm_id;
      return {
        reachable: false,
        decided_by: 'not-attached',
        rule: { kind: 'built-in', id: 'not-attached' },
        reason: `VM ${missing} is not attached to any network`,
        protocol,
        port,
        source: endpoint(query.source_vm_id, sources[0]),
        destination: endpoint(query.destination_vm_id, destinations[0]),
      };
    }
    const verdicts: ConnectivityVerdict[] = [];
    for (const source of sources) {
      for (const destination of destinations) {
        const decision = this.decide(source.network_id, destination.network_id, protocol, port);
        verdicts.push({
          ...decision,
          protocol,
          port,
          source: endpoint(query.source_vm_id, source),
          destination: endpoint(query.destination_vm_id, destination),
        });
      }
    }
    // Reachable over any pair of interfaces; otherwise explain with an explicit deny before the default.
    return (
      verdicts.find((v) => v.reachable) ??
      verdicts.find((v) => v.rule.kind === 'policy') ??
      verdicts[0]
    );
  }

  private decide(
    sourceNetworkId: string,
    destinationNetworkId: string,
    protocol: Protocol,
    port: number | null,
  ): Pick<ConnectivityVerdict, 'reachable' | 'decided_by' | 'rule' | 'reason'> {
    const traffic = `${protocol}${port === null ? '' : `/${port}`}`;
    const from = this.segment(sourceNetworkId).network.name;
    const to = this.segment(destinationNetworkId).network.name;
    this.evaluationOrder ??= [...this.policies.values()].sort(byEvaluationOrder);
    const policy = this.evaluationOrder.find((p) => policyMatches(p, sourceNetworkId, destinationNetworkId, protocol, port, this.faults));
    if (policy) {
      return {
        reachable: policy.action === 'allow',
        decided_by: policy.id,
        rule: { kind: 'policy', id: policy.id, name: policy.name, action: policy.action },
        reason: `policy "${policy.name}" ${policy.action === 'allow' ? 'allows' : 'denies'} ${traffic} from "${from}" to "${to}"`,
      };
    }
    if (sourceNetworkId === destinationNetworkId) {
      return {
        reachable: true,
        decided_by: 'same-segment',
        rule: { kind: 'built-in', id: 'same-segment' },
        reason: `both VMs are on network "${from}"; traffic inside a segment is allowed`,
      };
    }
    return {
      reachable: this.faults.defaultAllow,
      decided_by: 'default-deny',
      rule: { kind: 'built-in', id: 'default-deny' },
      reason: `no policy allows ${traffic} from "${from}" to "${to}"; traffic between segments is denied by default`,
    };
  }

  // ---- persistence ----------------------------------------------------------------------------

  snapshot(): NetworkSnapshot {
    return {
      networks: this.listNetworks(),
      attachments: [...this.attachments.values()].map((a) => ({ ...a })),
      policies: [...this.policies.values()].map(clonePolicy),
    };
  }

  /** Loads persisted state (in creation order); the data was validated when it was first written. */
  restore(snapshot: NetworkSnapshot): void {
    this.segments.clear();
    this.attachments.clear();
    this.policies.clear();
    this.evaluationOrder = undefined;
    const byCreation = <T extends { created_at: string }>(items: T[]) => [...items].sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const network of byCreation(snapshot.networks)) {
      const subnet = parseSegmentSubnet(network.subnet);
      this.segments.set(network.id, { network: { ...network }, subnet, gateway: parseIPv4(network.gateway) ?? subnet.network + 1 });
    }
    for (const attachment of snapshot.attachments) this.attachments.set(attachmentKey(attachment.network_id, attachment.vm_id), { ...attachment });
    for (const policy of byCreation(snapshot.policies)) this.policies.set(policy.id, clonePolicy(policy));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private segment(id: string): Segment {
    const segment = this.segments.get(id);
    if (!segment) throw new NetworkError('not_found', `network ${id} not found`);
    return segment;
  }

  private gatewayFor(subnet: Subnet, requested: unknown): number {
    if (requested === undefined || requested === null || requested === '') return this.faults.gatewayIsNetworkAddress ? subnet.network : subnet.network + 1;
    const address = typeof requested === 'string' ? parseIPv4(requested) : undefined;
    if (address === undefined) {
      throw new NetworkError('invalid', `gateway ${JSON.stringify(requested)} is not an IPv4 address: expected e.g. ${formatIPv4(subnet.network + 1)}`, 'gateway');
    }
    if (!isHostAddress(subnet, address)) {
      throw new NetworkError(
        'invalid',
        `gateway ${requested} is not a usable address of ${formatSubnet(subnet)}: expected ${formatIPv4(subnet.network + 1)} to ${formatIPv4(subnet.broadcast - 1)}`,
        'gateway',
      );
    }
    return address;
  }

  private usedAddresses(networkId: string): Set<number> {
    return new Set(this.attachmentsOf(networkId).map((a) => parseIPv4(a.ip_address) as number));
  }

  private nextFreeAddress(segment: Segment): number {
    const used = this.faults.duplicateAddresses ? new Set<number>() : this.usedAddresses(segment.network.id);
    for (let address = segment.subnet.network + 1; address < segment.subnet.broadcast; address++) {
      if (address !== segment.gateway && !used.has(address)) return address;
    }
    throw new NetworkError('exhausted', `network "${segment.network.name}" (${segment.network.subnet}) has no free address left`);
  }

  private checkRequestedAddress(segment: Segment, requested: unknown): number {
    const address = typeof requested === 'string' ? parseIPv4(requested) : undefined;
    const range = `${formatIPv4(segment.subnet.network + 1)} to ${formatIPv4(segment.subnet.broadcast - 1)}`;
    if (address === undefined || !contains(segment.subnet, address) || !isHostAddress(segment.subnet, address)) {
      throw new NetworkError('invalid', `ip_address ${JSON.stringify(requested)} is not a host address of ${segment.network.subnet}: expected ${range}`, 'ip_address');
    }
    if (address === segment.gateway) {
      throw new NetworkError('conflict', `ip_address ${requested} is the gateway of network "${segment.network.name}"`, 'ip_address');
    }
    if (this.usedAddresses(segment.network.id).has(address)) {
      throw new NetworkError('conflict', `ip_address ${requested} is already in use on network "${segment.network.name}"`, 'ip_address');
    }
    return address;
  }

  private checkPort(protocol: Protocol, port: unknown): number | null {
    if (protocol === 'icmp') {
      if (port !== undefined && port !== null) throw new NetworkError('invalid', 'port must be omitted for protocol icmp', 'port');
      return null;
    }
    if (port === undefined || port === null) {
      if (protocol === 'any') return null;
      throw new NetworkError('invalid', `port is required for protocol ${protocol}: expected 1-65535`, 'port');
    }
    if (!isPort(port)) throw new NetworkError('invalid', `port ${JSON.stringify(port)} is invalid: expected 1-65535`, 'port');
    return port;
  }

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }
}

function attachmentKey(networkId: string, vmId: string): string {
  return `${networkId}|${vmId}`;
}

function clonePolicy(policy: NetworkPolicy): NetworkPolicy {
  return { ...policy, ports: [...policy.ports] };
}
