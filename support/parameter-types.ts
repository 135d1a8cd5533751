import { defineParameterType } from '@cucumber/cucumber';
import { AREAS } from './permissions/probe';

defineParameterType({
  name: 'role',
  regexp: /admin|operator|viewer/,
  transformer: (role: string) => role,
});

defineParameterType({
  name: 'state',
  regexp: /creating|provisioning|running|stopped|paused|migrating|deleting|failed/,
  transformer: (state: string) => state,
});

defineParameterType({
  name: 'action',
  regexp: /start|stop|pause|resume/,
  transformer: (action: string) => action,
});

defineParameterType({
  name: 'health',
  regexp: /healthy|degraded|unhealthy/,
  transformer: (status: string) => status,
});

defineParameterType({
  name: 'states',
  regexp: /(?:creating|provisioning|running|stopped|paused|migrating|deleting|failed)(?:, (?:creating|provisioning|running|stopped|paused|migrating|deleting|failed))*/,
  transformer: (list: string) => list.split(', '),
});

defineParameterType({
  name: 'protected action',
  regexp: /list the virtual machines|create a virtual machine|stop a virtual machine|delete a virtual machine|create a user account/,
  transformer: (action: string) => action,
});

defineParameterType({
  name: 'permission area',
  regexp: new RegExp(AREAS.map((area) => area.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')),
  transformer: (area: string) => area,
});

defineParameterType({
  name: 'stream topic',
  regexp: /storage|machine/,
  transformer: (topic: string) => topic,
});
