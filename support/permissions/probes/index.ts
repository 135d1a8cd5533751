import type { Probe } from '../probe';
import { ACCOUNT_PROBES } from './accounts';
import { AUTOSCALING_PROBES } from './autoscaling';
import { CONSENSUS_PROBES } from './consensus';
import { FEDERATION_PROBES } from './federation';
import { MLESTAR_PROBES } from './mlestar';
import { NETWORK_PROBES } from './network';
import { OUTAGE_PROBES } from './outages';
import { STORAGE_PROBES } from './storage';
import { VM_PROBES } from './vms';

/** How the permission matrix calls each operation of the contract, by `METHOD /template`. */
export const PROBES: Readonly<Record<string, Probe>> = {
  ...ACCOUNT_PROBES,
  ...VM_PROBES,
  ...AUTOSCALING_PROBES,
  ...CONSENSUS_PROBES,
  ...FEDERATION_PROBES,
  ...STORAGE_PROBES,
  ...NETWORK_PROBES,
  ...MLESTAR_PROBES,
  ...OUTAGE_PROBES,
};
