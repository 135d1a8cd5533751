import { KeyedLock } from '../core/keyed-lock';
import { answering, objectBody, paginate } from '../federation/http-support';
import { badRequest, invalidInput } from '../http/errors';
import { reply, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { StorageError } from './errors';
import type { StorageEvent, Volume } from './model';
import { StorageService } from './storage';
import * as store from './store';
import { isTierName, TIER_NAMES } from './tiers';
import { CORE_FAULTS } from '../core/faults';
import { STORAGE_FAULTS } from './faults';

/** Bus messages for the changes a user cares about (progress steps are left out: too chatty). */
const PUBLISHED: Partial<Record<StorageEvent['action'], string>> = {
  created: 'storage.volume_created',
  attached: 'storage.volume_attached',
  detached: 'storage.volume_detached',
  deleted: 'storage.volume_deleted',
  migration_started: 'storage.migration_started',
  migration_completed: 'storage.migration_completed',
  migration_failed: 'storage.migration_failed',
};

/**
 * Storage tiers and volumes: `/api/v1/storage/tiers...` and `/api/v1/storage/volumes...`.
 * Viewers read; operators change. Volumes live in memory with their bytes, written through to
 * PostgreSQL; a change whose write fails is undone. Refused with 503 while storage is failed.
 */
export function createStorageModule(): ReferenceModule {
  let ctx: ReferenceContext | undefined;
  let storage = new StorageService();
  let faults = STORAGE_FAULTS.none;
  const lock = new KeyedLock();
  let unsubscribe: (() => void) | undefined;

  /** Runs `work` on one volume and persists the result; the volume is put back as it was when the write fails. */
  async function change(id: string, work: () => Volume | Promise<Volume>, withContent: boolean): Promise<Volume> {
    const context = ctx as ReferenceContext;
    return lock.run(`volume:${id}`, async () => {
      context.components.assertAvailable('storage');
      context.components.assertAvailable('database');
      const before = storage.exportVolume(id);
      const volume = await work();
      try {
        if (withContent || !faults.changesNotPersisted) await context.transaction((client) => store.saveVolume(client, volume, withContent ? storage.contentOf(volume.id) : undefined));
      } catch (error) {
        storage.reinstate(id, before);
        throw error;
      }
      return volume;
    });
  }

  function onEvent(event: StorageEvent): void {
    const context = ctx;
    if (!context) return;
    const type = PUBLISHED[event.action];
    if (type) context.events.publish(type, { volume_id: event.volume.id, name: event.volume.name, tier: event.volume.tier, vm_id: event.volume.vm_id });
    if (event.action === 'migration_completed' || event.action === 'migration_failed') {
      // The migration ran in the background: its outcome is written when it ends.
      const content = storage.contentOf(event.volume.id);
      context.transaction((client) => store.saveVolume(client, event.volume, content)).catch((error: unknown) =>
        context.log.warn(`could not persist the tier migration of ${event.volume.id}: ${(error as Error).message}`),
      );
    }
  }

  function requireVm(vmId: unknown): string {
    if (typeof vmId !== 'string' || !ctx?.vms.get(vmId)) {
      throw badRequest(`vm_id ${JSON.stringify(vmId)} is not a known VM`, [{ field: 'vm_id', message: `${JSON.stringify(vmId)} is not a known VM` }]);
    }
    return vmId;
  }

  async function recordOnVm(vmId: string, action: string, volume: Volume): Promise<void> {
    if (!ctx?.vms.get(vmId)) return;
    await ctx.vms.recordEvent(vmId, { type: 'storage', action, details: { volume_id: volume.id, name: volume.name, tier: volume.tier } });
  }

  return {
    name: 'storage',
    migrations: store.STORAGE_MIGRATIONS,

    register(router: Router, context: ReferenceContext) {
      ctx = context;
      const { auth, components } = context;
      faults = STORAGE_FAULTS.on(context.faults);
      storage = new StorageService({ faults, seed: context.options.schema, onEvent });

      router.get('/api/v1/storage/tiers', (request) => {
        auth.requireRole(request, 'viewer');
        return paginate(storage.listTiers(), request.query);
      });

      router.post(
        '/api/v1/storage/tiers/:tier/throughput-test',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const { tier } = request.params;
          if (!isTierName(tier)) throw new StorageError('not_found', `storage tier ${tier} not found: expected one of ${TIER_NAMES.join(', ')}`);
          components.assertAvailable('storage');
          return storage.measureThroughput(tier);
        }),
      );

      router.get(
        '/api/v1/storage/volumes',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          const tier = request.query.get('tier') ?? undefined;
          if (tier !== undefined && !isTierName(tier)) {
            throw invalidInput('volume list query', [{ field: 'tier', message: `must be one of ${TIER_NAMES.join(', ')} (got "${tier}")` }]);
          }
          return paginate(storage.listVolumes({ tier, vm_id: request.query.get('vm_id') ?? undefined }), request.query);
        }),
      );

      router.post(
        '/api/v1/storage/volumes',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          let createdId = '';
          const volume = await lock.run('volume:create', async () => {
            components.assertAvailable('storage');
            components.assertAvailable('database');
            const created = storage.createVolume(body);
            createdId = created.id;
            try {
              await context.transaction((client) => store.saveVolume(client, created, storage.contentOf(created.id)));
            } catch (error) {
              storage.reinstate(createdId, undefined);
              throw error;
            }
            return created;
          });
          return reply.created(volume);
        }),
      );

      router.get(
        '/api/v1/storage/volumes/:id',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return storage.getVolume(request.params.id);
        }),
      );

      router.delete(
        '/api/v1/storage/volumes/:id',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const { id } = request.params;
          await lock.run(`volume:${id}`, async () => {
            components.assertAvailable('storage');
            const before = storage.exportVolume(id);
            storage.deleteVolume(id);
            try {
              await context.transaction((client) => store.deleteVolume(client, id));
            } catch (error) {
              storage.reinstate(id, before);
              throw error;
            }
          });
          return { id, status: 'deleted' };
        }),
      );

      router.post(
        '/api/v1/storage/volumes/:id/attach',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          storage.getVolume(request.params.id);
          const vmId = requireVm(body.vm_id);
          const volume = await change(request.params.id, () => storage.attach(request.params.id, vmId), false);
          await recordOnVm(vmId, 'volume-attached', volume);
          return volume;
        }),
      );

      router.post(
        '/api/v1/storage/volumes/:id/detach',
        answering(async (request) => {
          const checkLast = CORE_FAULTS.on(context.faults).volumeDetachChecksRoleLast;
          if (!checkLast) auth.requireRole(request, 'operator');
          const vmId = storage.getVolume(request.params.id).vm_id;
          const volume = await change(request.params.id, () => storage.detach(request.params.id), false);
          if (checkLast) auth.requireRole(request, 'operator');
          if (vmId && !faults.detachNotInVmHistory) await recordOnVm(vmId, 'volume-detached', volume);
          return volume;
        }),
      );

      router.post(
        '/api/v1/storage/volumes/:id/migrate',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          const { id } = request.params;
          const volume = await lock.run(`volume:${id}`, async () => {
            components.assertAvailable('storage');
            components.assertAvailable('database');
            return storage.startMigration(id, body.target_tier).volume;
          });
          return reply.status(202, volume, { Location: `/api/v1/storage/volumes/${id}` });
        }),
      );

      router.get(
        '/api/v1/storage/volumes/:id/data',
        answering(async (request) => {
          auth.requireRole(request, 'viewer');
          const { id } = request.params;
          const size = storage.getVolume(id).content_bytes;
          const offset = wholeNumber(request.query.get('offset'), 0, 'offset');
          const length = wholeNumber(request.query.get('length'), size - offset, 'length');
          const data = await storage.read(id, offset, length);
          return { volume_id: id, offset, length: data.length, data: data.toString('base64') };
        }),
      );

      router.put(
        '/api/v1/storage/volumes/:id/data',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          const { id } = request.params;
          const offset = body.offset ?? 0;
          if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
            throw invalidInput('volume write', [{ field: 'offset', message: `must be a whole number of bytes (got ${JSON.stringify(offset)})` }]);
          }
          if (typeof body.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.data) || body.data.length === 0) {
            throw invalidInput('volume write', [{ field: 'data', message: 'must be the bytes to write, base64-encoded' }]);
          }
          const data = Buffer.from(body.data, 'base64');
          return change(id, () => storage.write(id, offset, data), true);
        }),
      );
    },

    async start() {
      const context = ctx as ReferenceContext;
      storage.restore(await store.loadVolumes(context.db));
      // Volumes outlive a deleted VM: they are detached from it.
      unsubscribe = context.events.subscribe((event) => {
        if (event.type !== 'vm.deleted') return;
        const vmId = String(event.data.vm_id);
        for (const volume of storage.listVolumes({ vm_id: vmId })) {
          change(volume.id, () => storage.detach(volume.id), false).catch((error: unknown) =>
            context.log.warn(`could not detach volume ${volume.id} from deleted VM ${vmId}: ${(error as Error).message}`),
          );
        }
      });
    },

    stop() {
      unsubscribe?.();
    },
  };
}

function wholeNumber(raw: string | null, fallback: number, field: string): number {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw invalidInput('volume read', [{ field, message: `must be a whole number of bytes (got "${raw}")` }]);
  return Number(raw);
}
