import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sleep, type ApiClient } from '../api-client';
import { deleteVmAfterScenario, type VmAction, type VmState } from '../tasks/vms';
import type { NovaWorld } from '../world';
import { EventStream, StreamRefused, type StreamMessage } from '../ws-client';
import { actOnVm, body, pick, untilAgrees, untilRunning, VM_ACTIONS } from './common';
import { modelSettings, runModelCheck, type ModelCheck } from './runner';

/**
 * The event stream model, written from the contract (`/ws/events` in contract/domains/vms.yaml):
 * a subscriber first gets `welcome` with the latest sequence, then (with `?since=N`) every
 * buffered event after N, then live events, in strictly increasing sequence, only of its topics
 * when it chose some (the part of the type before the dot). The sequence's own operations (VMs and
 * MLE-Star projects) must each be announced exactly as the contract says.
 *
 * One unfiltered subscriber, opened first, is the log every other view is compared with: after
 * every operation each subscriber (of any topics, opened live or resumed from any sequence the log
 * holds, or closed and resumed from the last sequence it saw) must have received exactly the log's
 * events after its starting point that match its topics, the same messages, in the same order.
 * So a lost, duplicated, reordered, misfiltered or misreplayed event shows whatever caused it.
 */

const ARRIVE_WITHIN_MS = 3_000;
const TOPIC_CHOICES: readonly (readonly string[])[] = [[], ['vm'], ['mlestar'], ['vm', 'mlestar'], ['autoscaling'], ['mlestar', 'vm', 'network']];

/** Subscriptions the contract refuses before the upgrade. */
const BAD_SUBSCRIPTIONS: readonly { what: string; query: string }[] = [
  { what: 'a negative since', query: 'since=-1' },
  { what: 'a since that is not a number', query: 'since=latest' },
  { what: 'a fractional since', query: 'since=1.5' },
  { what: 'an upper-case topic', query: 'topics=VM' },
  { what: 'a list with one upper-case topic', query: 'topics=vm,VM' },
  { what: 'an empty topic list', query: 'topics=' },
  { what: 'a topic with a dot', query: 'topics=vm.created' },
];

interface Subscriber {
  label: string;
  topics: readonly string[];
  stream: EventStream;
  /** The sequence after which it must hold every matching event of the log. */
  from: number;
  /** Whether it asked for a replay (`since`); without one nothing before its welcome may come. */
  replayed: boolean;
  open: boolean;
}

interface ModelVm {
  id: string;
  name: string;
  state: VmState;
  /** What the stream must announce about it, in order. */
  announced: string[];
}

interface ModelProject {
  id: string;
  name: string;
  announced: string[];
}

export interface StreamModel {
  subscribers: Subscriber[];
  vms: ModelVm[];
  goneVms: ModelVm[];
  projects: ModelProject[];
  goneProjects: ModelProject[];
  issued: number;
}

export interface StreamSystem {
  world: NovaWorld;
  api: ApiClient;
  /** The unfiltered subscriber every other one is compared with. */
  log: EventStream;
  logFrom: number;
  prefix: string;
  tag: string;
  /** Opens a subscriber; every one opened is closed when the sequence ends. */
  open(topics: readonly string[], since?: number): Promise<EventStream>;
  opened: EventStream[];
}

type StreamCommand = fc.AsyncCommand<StreamModel, StreamSystem>;

const describeTopics = (topics: readonly string[]) => (topics.length === 0 ? 'every topic' : topics.join(','));
const topicOf = (type: string) => type.slice(0, type.indexOf('.'));
const events = (stream: EventStream) => stream.received.filter((message) => message.type !== 'welcome');

// ---- subscribers ----------------------------------------------------------------------------------

/** Opens a subscriber, checks its welcome, and adds it to the model. */
async function subscribe(model: StreamModel, real: StreamSystem, topics: readonly string[], since: number | undefined, label: string): Promise<Subscriber> {
  const before = real.log.last ?? real.logFrom;
  const stream = await real.open(topics, since);
  const welcome = await stream.waitFor((message) => message.type === 'welcome', 2000, `the welcome of ${label}`);
  assert.equal(stream.received[0], welcome, `the first message ${label} received was ${stream.received[0]?.type}, not welcome`);
  assert.ok(welcome.sequence >= before, `the welcome of ${label} names sequence ${welcome.sequence}, but ${before} was already published`);
  const subscriber: Subscriber = { label, topics, stream, from: since ?? welcome.sequence, replayed: since !== undefined, open: true };
  model.subscribers.push(subscriber);
  return subscriber;
}

class Subscribe implements StreamCommand {
  private label: string | undefined;
  constructor(readonly topics: number, readonly back: number | undefined) {}
  check = (model: Readonly<StreamModel>) => model.subscribers.filter((s) => s.open).length < 6;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const topics = TOPIC_CHOICES[this.topics % TOPIC_CHOICES.length];
    const seen = events(real.log).map((message) => message.sequence);
    // A replay reaches back `back` events of the log, never before the log's own start.
    const since = this.back === undefined ? undefined : seen.length > this.back ? seen[seen.length - 1 - this.back] : real.logFrom;
    this.label = `subscriber ${model.subscribers.length + 1} (${describeTopics(topics)}${since === undefined ? '' : `, ${this.back} back`})`;
    await subscribe(model, real, topics, since, this.label);
    await checkEveryView(model, real);
  }
  toString = () => this.label ?? `subscribe to ${describeTopics(TOPIC_CHOICES[this.topics % TOPIC_CHOICES.length])}${this.back === undefined ? '' : ` from ${this.back} back`}`;
}

/** Closes a subscriber, and opens it again from the last sequence it saw: it must miss nothing. */
class Resume implements StreamCommand {
  private label: string | undefined;
  constructor(readonly index: number) {}
  check = (model: Readonly<StreamModel>) => model.subscribers.some((s) => s.open);
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const open = model.subscribers.filter((s) => s.open);
    const old = pick(open, this.index) as Subscriber;
    this.label = old.label;
    await old.stream.close();
    old.open = false;
    const lastSeen = old.stream.last ?? old.from;
    await checkEveryView(model, real);
    await sleep(20);
    await subscribe(model, real, old.topics, lastSeen, `${old.label} resumed`);
    await checkEveryView(model, real);
  }
  toString = () => `close and resume ${this.label ?? `subscriber #${this.index}`}`;
}

class BadSubscription implements StreamCommand {
  constructor(readonly kind: number) {}
  check = () => true;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const { what, query } = BAD_SUBSCRIPTIONS[this.kind % BAD_SUBSCRIPTIONS.length];
    let refused: unknown;
    try {
      const stream = await EventStream.open({ baseURL: real.world.suite.apiUrl, token: real.world.actor.token, path: `/ws/events?${query}` });
      await stream.close();
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof StreamRefused && refused.status === 400, `a subscription with ${what} (${query}) was ${refused instanceof StreamRefused ? `refused with ${refused.status}` : 'accepted'}, not refused as invalid (400)`);
    await checkEveryView(model, real);
  }
  toString = () => `subscribe with ${BAD_SUBSCRIPTIONS[this.kind % BAD_SUBSCRIPTIONS.length].what}`;
}

// ---- what publishes -------------------------------------------------------------------------------

class CreateVm implements StreamCommand {
  private name: string | undefined;
  check = () => true;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    model.issued += 1;
    const name = `${real.prefix}vm-${model.issued}`;
    this.name = `vm ${model.issued}`;
    const response = await real.api.post<{ id: string; name: string }>('/api/v1/vms', { name, tags: [real.tag] });
    if (response.status === 201) deleteVmAfterScenario(real.world, response.data);
    assert.equal(response.status, 201, `requesting ${name} was answered ${response.status} ${body(response)}`);
    const vm: ModelVm = { id: response.data.id, name, state: 'running', announced: ['vm.created creating', 'vm.state_changed creating->provisioning', 'vm.state_changed provisioning->running'] };
    model.vms.push(vm);
    await untilRunning(real.api, vm);
    await checkEveryView(model, real);
  }
  toString = () => `create ${this.name ?? 'a VM'}`;
}

class ActOnVm implements StreamCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly action: VmAction) {}
  check = (model: Readonly<StreamModel>) => model.vms.length > 0;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    this.target = `${vm.name.slice(real.prefix.length).replace('-', ' ')} (${vm.state})`;
    const to = await actOnVm(real.api, vm, this.action);
    // A refused action changes nothing, so announces nothing.
    if (to) {
      vm.announced.push(`vm.state_changed ${vm.state}->${to}`);
      vm.state = to;
    }
    await checkEveryView(model, real);
  }
  toString = () => `${this.action} ${this.target ?? `VM #${this.index}`}`;
}

class DeleteVm implements StreamCommand {
  private target: string | undefined;
  constructor(readonly index: number) {}
  check = (model: Readonly<StreamModel>) => model.vms.length > 0;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    this.target = vm.name.slice(real.prefix.length).replace('-', ' ');
    const response = await real.api.delete(`/api/v1/vms/${vm.id}`);
    assert.equal(response.status, 200, `deleting ${vm.name} was answered ${response.status} ${body(response)}`);
    vm.announced.push(`vm.deleted ${vm.state}`);
    model.vms.splice(model.vms.indexOf(vm), 1);
    model.goneVms.push(vm);
    await checkEveryView(model, real);
  }
  toString = () => `delete ${this.target ?? `VM #${this.index}`}`;
}

class CreateProject implements StreamCommand {
  private name: string | undefined;
  check = () => true;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    model.issued += 1;
    const name = `${real.prefix}project-${model.issued}`;
    this.name = `project ${model.issued}`;
    const response = await real.api.post<{ id: string; name: string }>('/api/v1/mlestar/projects', { name, type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.5 } });
    if (response.status === 201) deleteProjectAfterScenario(real.world, response.data);
    assert.equal(response.status, 201, `creating ${name} was answered ${response.status} ${body(response)}`);
    model.projects.push({ id: response.data.id, name, announced: ['mlestar.project_created'] });
    await checkEveryView(model, real);
  }
  toString = () => `create ${this.name ?? 'a project'}`;
}

class DeleteProject implements StreamCommand {
  private target: string | undefined;
  constructor(readonly index: number) {}
  check = (model: Readonly<StreamModel>) => model.projects.length > 0;
  async run(model: StreamModel, real: StreamSystem): Promise<void> {
    const project = pick(model.projects, this.index) as ModelProject;
    this.target = project.name.slice(real.prefix.length).replace('-', ' ');
    const response = await real.api.delete(`/api/v1/mlestar/projects/${project.id}`);
    assert.equal(response.status, 200, `deleting ${project.name} was answered ${response.status} ${body(response)}`);
    project.announced.push('mlestar.project_deleted');
    model.projects.splice(model.projects.indexOf(project), 1);
    model.goneProjects.push(project);
    await checkEveryView(model, real);
  }
  toString = () => `delete ${this.target ?? `project #${this.index}`}`;
}

function deleteProjectAfterScenario(world: NovaWorld, { id, name }: { id: string; name: string }): void {
  world.ledger.add(`MLE-Star project ${name} (${id})`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/mlestar/projects/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
}

// ---- every view against the model ----------------------------------------------------------------

/** How the log announced a VM or project of the sequence, in the model's words. */
function announcedInLog(log: EventStream, id: string): string[] {
  return events(log)
    .filter((message) => message.data.vm_id === id || message.data.project_id === id)
    .map((message) => {
      const data = message.data as { state?: string; from_state?: string; to_state?: string };
      if (message.type === 'vm.created') return `vm.created ${data.state}`;
      if (message.type === 'vm.state_changed') return `vm.state_changed ${data.from_state}->${data.to_state}`;
      if (message.type === 'vm.deleted') return `vm.deleted ${data.from_state}`;
      return message.type;
    });
}

/** The log itself: strictly increasing, and every operation of the sequence announced exactly as it happened. */
function expectLog(model: StreamModel, real: StreamSystem): void {
  const sequences = events(real.log).map((message) => message.sequence);
  sequences.forEach((sequence, i) => {
    assert.ok(i === 0 ? sequence > real.logFrom : sequence > sequences[i - 1], `the unfiltered subscriber received sequence ${sequence} after ${i === 0 ? `a welcome naming ${real.logFrom}` : sequences[i - 1]}`);
  });
  for (const item of [...model.vms, ...model.goneVms, ...model.projects, ...model.goneProjects]) {
    assert.deepEqual(announcedInLog(real.log, item.id), item.announced, `the stream announced ${item.name} otherwise than what happened to it`);
  }
}

/** Each subscriber holds exactly the log's events after its start that match its topics: the same messages, in order. */
function expectSubscriber(real: StreamSystem, subscriber: Subscriber): void {
  const { stream, topics, from, label } = subscriber;
  const received = events(stream);
  const welcome = stream.received[0];
  if (!subscriber.replayed) received.forEach((message) => assert.ok(message.sequence > welcome.sequence, `${label} asked for no replay, but received sequence ${message.sequence}, before its welcome's ${welcome.sequence}`));
  const last = subscriber.open ? Infinity : (stream.last ?? from);
  const expected = events(real.log).filter((message) => message.sequence > from && message.sequence <= last && (topics.length === 0 || topics.includes(topicOf(message.type))));
  const line = (message: StreamMessage) => `${message.sequence} ${message.type} ${JSON.stringify(message.data)}`;
  assert.deepEqual(received.map(line), expected.map(line), `${label} received other events than the unfiltered stream's after sequence ${from}${topics.length ? ` of ${describeTopics(topics)}` : ''}`);
}

/** Every view agrees with the model once what the operation published has arrived. */
export async function checkEveryView(model: StreamModel, real: StreamSystem): Promise<void> {
  await untilAgrees(() => {
    expectLog(model, real);
    for (const subscriber of model.subscribers) expectSubscriber(real, subscriber);
  }, ARRIVE_WITHIN_MS, 25);
}

// ---- the check ------------------------------------------------------------------------------------

const indexArb = fc.nat({ max: 50 });

export const STREAM_COMMANDS: fc.Arbitrary<StreamCommand>[] = [
  fc.tuple(fc.nat({ max: TOPIC_CHOICES.length - 1 }), fc.option(fc.nat({ max: 6 }), { nil: undefined })).map(([topics, back]) => new Subscribe(topics, back)),
  indexArb.map((index) => new Resume(index)),
  fc.nat({ max: BAD_SUBSCRIPTIONS.length - 1 }).map((kind) => new BadSubscription(kind)),
  fc.constant(null).map(() => new CreateVm()),
  fc.tuple(indexArb, fc.constantFrom(...VM_ACTIONS)).map(([index, action]) => new ActOnVm(index, action)),
  fc.tuple(indexArb, fc.constantFrom(...VM_ACTIONS)).map(([index, action]) => new ActOnVm(index, action)),
  indexArb.map((index) => new DeleteVm(index)),
  fc.constant(null).map(() => new CreateProject()),
  indexArb.map((index) => new DeleteProject(index)),
];

/** Every kind of subscription and operation: what every run checks before the random sequences. */
function streamTour(): StreamCommand[] {
  return [
    new Subscribe(1, undefined),
    new Subscribe(2, undefined),
    new CreateVm(),
    new CreateProject(),
    new Subscribe(0, 3),
    new Subscribe(3, 0),
    new Subscribe(4, 5),
    ...BAD_SUBSCRIPTIONS.map((_, i) => new BadSubscription(i)),
    new ActOnVm(0, 'pause'),
    new ActOnVm(0, 'stop'),
    new ActOnVm(0, 'start'),
    new Resume(0),
    new CreateVm(),
    new DeleteProject(0),
    new Resume(1),
    new DeleteVm(1),
    new Subscribe(5, 6),
    new ActOnVm(0, 'pause'),
    new DeleteVm(0),
  ];
}

export function streamModelCheck(world: NovaWorld): ModelCheck<StreamModel, StreamSystem> {
  let sequence = 0;
  return {
    domain: 'event stream subscribers',
    commands: STREAM_COMMANDS,
    tour: streamTour,
    async setup() {
      sequence += 1;
      const opened: EventStream[] = [];
      const open = async (topics: readonly string[], since?: number) => {
        const stream = await EventStream.open({ baseURL: world.suite.apiUrl, token: world.actor.token, topics: [...topics] }, since);
        opened.push(stream);
        return stream;
      };
      const log = await open([]);
      const welcome = await log.waitFor((message) => message.type === 'welcome', 2000, 'the welcome of the unfiltered subscriber');
      const real: StreamSystem = { world, api: world.actor.api, log, logFrom: welcome.sequence, prefix: `e${world.runId}s${sequence}-`, tag: `${world.scenarioTag}-s${sequence}`, open, opened };
      return { model: { subscribers: [], vms: [], goneVms: [], projects: [], goneProjects: [], issued: 0 }, real };
    },
    async teardown(real) {
      try {
        const admin = await world.suite.admin();
        const vms = await admin.get<{ items: { id: string }[] }>('/api/v1/vms', { params: { tag: real.tag, page_size: 500 } });
        for (const vm of vms.data.items ?? []) await admin.delete(`/api/v1/vms/${vm.id}`);
      } finally {
        await Promise.all(real.opened.map((stream) => stream.close()));
      }
    },
  };
}

export async function checkStreamModel(world: NovaWorld): Promise<void> {
  const settings = modelSettings(world);
  await runModelCheck(world, streamModelCheck(world), { ...settings, maxCommands: Math.ceil(settings.maxCommands / 2) });
}
