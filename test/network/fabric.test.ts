import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { NetworkError } from '../../reference/network/errors';
import { NetworkFabric } from '../../reference/network/fabric';

function sequentialIds(): (prefix: string) => string {
  let next = 0;
  return (prefix) => `${prefix}-${++next}`;
}

function refused(action: () => unknown, kind: NetworkError['kind'], message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  });
}

describe('network fabric', () => {
  let fabric: NetworkFabric;
  beforeEach(() => {
    fabric = new NetworkFabric({ now: () => Date.UTC(2025, 0, 1), newId: sequentialIds() });
  });

  describe('segments', () => {
    it('creates a bridged network with the first host address as gateway', () => {
      const network = fabric.createNetwork({ name: 'frontend', subnet: '10.0.1.0/24' });
      assert.deepEqual(
        { name: network.name, subnet: network.subnet, type: network.type, gateway: network.gateway },
        { name: 'frontend', subnet: '10.0.1.0/24', type: 'bridged', gateway: '10.0.1.1' },
      );
      assert.match(network.id, /^net-/);
    });

    it('accepts a gateway inside the subnet and refuses one outside or reserved', () => {
      assert.equal(fabric.createNetwork({ name: 'a', subnet: '10.0.1.0/24', gateway: '10.0.1.254' }).gateway, '10.0.1.254');
      refused(() => fabric.createNetwork({ name: 'b', subnet: '10.0.2.0/24', gateway: '10.0.3.1' }), 'invalid', /gateway 10\.0\.3\.1 is not a usable address of 10\.0\.2\.0\/24/);
      refused(() => fabric.createNetwork({ name: 'c', subnet: '10.0.4.0/24', gateway: '10.0.4.255' }), 'invalid', /not a usable address/);
      refused(() => fabric.createNetwork({ name: 'd', subnet: '10.0.5.0/24', gateway: 'x' }), 'invalid', /not an IPv4 address/);
    });

    it('refuses overlapping subnets naming the existing network', () => {
      fabric.createNetwork({ name: 'frontend', subnet: '10.0.1.0/24' });
      refused(() => fabric.createNetwork({ name: 'wide', subnet: '10.0.0.0/16' }), 'conflict', /overlaps network "frontend" \(10\.0\.1\.0\/24\)/);
      refused(() => fabric.createNetwork({ name: 'same', subnet: '10.0.1.0/24' }), 'conflict', /overlaps/);
      assert.equal(fabric.createNetwork({ name: 'beside', subnet: '10.0.2.0/24' }).subnet, '10.0.2.0/24');
    });

    it('refuses invalid subnets, names, types and duplicate names', () => {
      refused(() => fabric.createNetwork({ name: 'x', subnet: '10.0.1.1/24' }), 'invalid', /host bits/);
      refused(() => fabric.createNetwork({ name: 'x', subnet: 'nonsense' }), 'invalid', /not an IPv4 CIDR/);
      refused(() => fabric.createNetwork({ name: 'Bad Name', subnet: '10.9.0.0/24' }), 'invalid', /name "Bad Name" is invalid/);
      refused(() => fabric.createNetwork({ name: 'x', subnet: '10.9.0.0/24', type: 'vlan' }), 'invalid', /type "vlan" is invalid/);
      fabric.createNetwork({ name: 'x', subnet: '10.9.0.0/24' });
      refused(() => fabric.createNetwork({ name: 'x', subnet: '10.8.0.0/24' }), 'conflict', /already exists/);
    });

    it('refuses to delete a network with attached VMs or policies', () => {
      const a = fabric.createNetwork({ name: 'a', subnet: '10.0.1.0/24' });
      const b = fabric.createNetwork({ name: 'b', subnet: '10.0.2.0/24' });
      fabric.attach(a.id, 'vm-1');
      refused(() => fabric.deleteNetwork(a.id), 'conflict', /1 attached VM/);
      fabric.detach(a.id, 'vm-1');
      const policy = fabric.createPolicy({ name: 'p', source_network_id: a.id, destination_network_id: b.id, ports: [80] });
      refused(() => fabric.deleteNetwork(b.id), 'conflict', /used by policy "p"/);
      fabric.deletePolicy(policy.id);
      fabric.deleteNetwork(b.id);
      refused(() => fabric.getNetwork(b.id), 'not_found', /not found/);
    });
  });

  describe('attachments', () => {
    it('allocates distinct addresses, skipping the gateway, and reuses freed ones', () => {
      const net = fabric.createNetwork({ name: 'a', subnet: '10.0.1.0/24', gateway: '10.0.1.2' });
      assert.equal(fabric.attach(net.id, 'vm-1').ip_address, '10.0.1.1');
      assert.equal(fabric.attach(net.id, 'vm-2').ip_address, '10.0.1.3');
      fabric.detach(net.id, 'vm-1');
      assert.equal(fabric.attach(net.id, 'vm-3').ip_address, '10.0.1.1');
    });

    it('refuses a second attachment of the same VM and exhausts a small subnet', () => {
      const net = fabric.createNetwork({ name: 'tiny', subnet: '10.0.1.0/30' });
      fabric.attach(net.id, 'vm-1');
      refused(() => fabric.attach(net.id, 'vm-1'), 'conflict', /already attached/);
      refused(() => fabric.attach(net.id, 'vm-2'), 'exhausted', /no free address/);
    });

    it('validates a requested address', () => {
      const net = fabric.createNetwork({ name: 'a', subnet: '10.0.1.0/24' });
      assert.equal(fabric.attach(net.id, 'vm-1', '10.0.1.50').ip_address, '10.0.1.50');
      refused(() => fabric.attach(net.id, 'vm-2', '10.0.1.50'), 'conflict', /already in use/);
      refused(() => fabric.attach(net.id, 'vm-3', '10.0.1.1'), 'conflict', /is the gateway/);
      refused(() => fabric.attach(net.id, 'vm-4', '10.0.2.9'), 'invalid', /not a host address of 10\.0\.1\.0\/24/);
    });
  });

  describe('isolation and policies', () => {
    let web: string;
    let db: string;
    beforeEach(() => {
      web = fabric.createNetwork({ name: 'web', subnet: '10.1.0.0/24' }).id;
      db = fabric.createNetwork({ name: 'db', subnet: '10.2.0.0/24' }).id;
      fabric.attach(web, 'vm-web');
      fabric.attach(web, 'vm-web-2');
      fabric.attach(db, 'vm-db');
    });

    const probe = (source: string, destination: string, port: number | null = 5432, protocol = 'tcp') =>
      fabric.testConnectivity({ source_vm_id: source, destination_vm_id: destination, protocol, port });

    it('denies traffic between segments by default and allows it inside one', () => {
      const between = probe('vm-web', 'vm-db');
      assert.equal(between.reachable, false);
      assert.equal(between.decided_by, 'default-deny');
      assert.match(between.reason, /no policy allows tcp\/5432 from "web" to "db"/);
      const inside = probe('vm-web', 'vm-web-2', 80);
      assert.equal(inside.reachable, true);
      assert.equal(inside.decided_by, 'same-segment');
    });

    it('allows exactly the ports, protocol and direction of a policy', () => {
      const policy = fabric.createPolicy({ name: 'web-to-db', source_network_id: web, destination_network_id: db, protocol: 'tcp', ports: [5432] });
      const allowed = probe('vm-web', 'vm-db', 5432);
      assert.equal(allowed.reachable, true);
      assert.equal(allowed.decided_by, policy.id);
      assert.equal(allowed.source.ip_address, '10.1.0.2');
      assert.equal(probe('vm-web', 'vm-db', 22).decided_by, 'default-deny');
      assert.equal(probe('vm-web', 'vm-db', 5432, 'udp').reachable, false);
      assert.equal(probe('vm-db', 'vm-web', 5432).reachable, false, 'a policy is one-directional');
    });

    it('evaluates policies by priority so a deny can override a broader allow', () => {
      fabric.createPolicy({ name: 'all', source_network_id: web, destination_network_id: db, protocol: 'any', priority: 200 });
      const deny = fabric.createPolicy({ name: 'no-ssh', source_network_id: web, destination_network_id: db, ports: [22], action: 'deny', priority: 10 });
      assert.equal(probe('vm-web', 'vm-db', 80).reachable, true);
      const ssh = probe('vm-web', 'vm-db', 22);
      assert.equal(ssh.reachable, false);
      assert.equal(ssh.decided_by, deny.id);
      assert.equal(probe('vm-web', 'vm-db', null, 'icmp').reachable, true);
    });

    it('reports an unattached VM as unreachable', () => {
      const verdict = probe('vm-web', 'vm-nowhere');
      assert.deepEqual([verdict.reachable, verdict.decided_by], [false, 'not-attached']);
    });

    it('validates policy and query input', () => {
      refused(() => fabric.createPolicy({ name: 'p', source_network_id: web, destination_network_id: 'net-x' }), 'invalid', /destination_network_id "net-x" is not a known network/);
      refused(() => fabric.createPolicy({ name: 'p', source_network_id: web, destination_network_id: db, ports: [0] }), 'invalid', /ports \[0\] is invalid/);
      refused(() => fabric.createPolicy({ name: 'p', source_network_id: web, destination_network_id: db, protocol: 'icmp', ports: [1] }), 'invalid', /ports must be empty/);
      refused(() => fabric.createPolicy({ name: 'p', source_network_id: web, destination_network_id: db, protocol: 'gre' }), 'invalid', /protocol "gre" is not supported/);
      refused(() => probe('vm-web', 'vm-db', 70000), 'invalid', /port 70000 is invalid/);
      refused(() => probe('vm-web', 'vm-db', null), 'invalid', /port is required for protocol tcp/);
    });
  });

  it('restores a snapshot with the same behaviour', () => {
    const a = fabric.createNetwork({ name: 'a', subnet: '10.0.1.0/24' });
    const b = fabric.createNetwork({ name: 'b', subnet: '10.0.2.0/24' });
    fabric.attach(a.id, 'vm-1');
    fabric.attach(b.id, 'vm-2');
    const policy = fabric.createPolicy({ name: 'p', source_network_id: a.id, destination_network_id: b.id, ports: [443] });
    const copy = new NetworkFabric();
    copy.restore(fabric.snapshot());
    assert.equal(copy.testConnectivity({ source_vm_id: 'vm-1', destination_vm_id: 'vm-2', port: 443 }).decided_by, policy.id);
    refused(() => copy.createNetwork({ name: 'c', subnet: '10.0.1.128/25' }), 'conflict', /overlaps network "a"/);
    assert.equal(copy.attach(a.id, 'vm-3').ip_address, '10.0.1.3');
  });
});
