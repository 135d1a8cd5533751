import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NetworkFabric } from '../../reference/network/fabric';
import { NETWORK_FAULTS, NETWORK_SCENARIOS, type NetworkFaultFlags } from '../../reference/network/faults';

function fabricWith(flags: Partial<NetworkFaultFlags>) {
  const fabric = new NetworkFabric({ faults: { ...NETWORK_FAULTS.none, ...flags } });
  const web = fabric.createNetwork({ name: 'web', subnet: '10.1.0.0/24' });
  const db = fabric.createNetwork({ name: 'db', subnet: '10.2.0.0/24' });
  fabric.attach(web.id, 'vm-web');
  fabric.attach(db.id, 'vm-db');
  fabric.createPolicy({ name: 'p', source_network_id: web.id, destination_network_id: db.id, ports: [5432] });
  const reaches = (from: string, to: string, port: number) => fabric.testConnectivity({ source_vm_id: from, destination_vm_id: to, port }).reachable;
  return { fabric, web, reaches };
}

describe('network faults', () => {
  it('name only scenarios that exist in the feature', () => {
    const feature = readFileSync(join(__dirname, '..', '..', 'features', 'system', 'backend', 'network-isolation.feature'), 'utf8');
    const titles = new Set([...feature.matchAll(/^\s*Scenario(?: Outline)?: (.+?)\s*$/gm)].map((m) => m[1]));
    for (const title of Object.values(NETWORK_SCENARIOS)) assert.ok(titles.has(title), `no scenario "${title}"`);
    assert.equal(titles.size, Object.keys(NETWORK_SCENARIOS).length, 'every scenario has a title constant');
    for (const fault of NETWORK_FAULTS.catalog) assert.ok(fault.scenarios.length > 0, fault.name);
  });

  it('each defect changes exactly what it names', () => {
    assert.equal(fabricWith({ gatewayIsNetworkAddress: true }).fabric.createNetwork({ name: 'g', subnet: '10.3.0.0/24' }).gateway, '10.3.0.0');
    assert.equal(fabricWith({ acceptsOverlap: true }).fabric.createNetwork({ name: 'o', subnet: '10.0.0.0/8' }).subnet, '10.0.0.0/8');
    assert.equal(fabricWith({ acceptsHostBits: true }).fabric.createNetwork({ name: 'h', subnet: '10.4.0.7/24' }).subnet, '10.4.0.0/24');
    const duplicates = fabricWith({ duplicateAddresses: true });
    assert.equal(duplicates.fabric.attach(duplicates.web.id, 'vm-2').ip_address, duplicates.fabric.attachmentsOfVm('vm-web')[0].ip_address);
    const clean = fabricWith({});
    assert.deepEqual([clean.reaches('vm-web', 'vm-db', 22), clean.reaches('vm-db', 'vm-web', 5432)], [false, false]);
    assert.equal(fabricWith({ defaultAllow: true }).reaches('vm-db', 'vm-web', 22), true);
    assert.equal(fabricWith({ policyIgnoresPorts: true }).reaches('vm-web', 'vm-db', 22), true);
    assert.equal(fabricWith({ policyBothDirections: true }).reaches('vm-db', 'vm-web', 5432), true);
  });

  it('network-deleted-policy-still-enforced: a deleted policy decides until another policy is created', () => {
    for (const cached of [false, true]) {
      const { fabric, reaches } = fabricWith({ deletedPolicyCached: cached });
      assert.equal(reaches('vm-web', 'vm-db', 5432), true);
      fabric.deletePolicy(fabric.listPolicies()[0].id);
      assert.equal(reaches('vm-web', 'vm-db', 5432), cached, cached ? 'with the fault' : 'without the fault');
    }
  });

  it('network-connectivity-first-interface-only: a VM on two segments is judged by the first', () => {
    for (const firstOnly of [false, true]) {
      const { fabric, web, reaches } = fabricWith({ firstInterfaceOnly: firstOnly });
      const db = fabric.listNetworks().find((n) => n.name === 'db');
      fabric.attach(db?.id ?? '', 'vm-both');
      fabric.attach(web.id, 'vm-both');
      assert.equal(reaches('vm-both', 'vm-web', 22), !firstOnly, firstOnly ? 'with the fault' : 'without the fault');
    }
  });
});
