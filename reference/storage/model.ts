import type { TierName, TierSpec } from './tiers';

/** Shapes of the storage domain, as the API shows them (snake_case, ISO times). */

export type VolumeState = 'available' | 'attached' | 'migrating';

export interface TierMigration {
  from_tier: TierName;
  to_tier: TierName;
  status: 'running' | 'completed' | 'failed';
  /** 0-100 */
  progress: number;
  bytes_copied: number;
  checksum_before: string;
  checksum_after: string | null;
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
  error: string | null;
}

export interface Volume {
  id: string;
  name: string;
  /** GB */
  size: number;
  tier: TierName;
  vm_id: string | null;
  state: VolumeState;
  /** SHA-256 (hex) of the volume's bytes. */
  checksum: string;
  /** Real bytes held for the volume (its size scaled down by the simulation). */
  content_bytes: number;
  last_migration: TierMigration | null;
  created_at: string;
  updated_at: string;
}

export interface TierStatus extends TierSpec {
  used_gb: number;
  free_gb: number;
  volume_count: number;
}

export interface ThroughputMeasurement {
  tier: TierName;
  sample_bytes: number;
  /** Best of several rounds of real transfers, converted back to the class's simulated MB/s. */
  write_mb_s: number;
  read_mb_s: number;
  /** Real wall time of every round together. */
  duration_ms: number;
  measured_at: string;
}

export type StorageAction =
  | 'created'
  | 'attached'
  | 'detached'
  | 'written'
  | 'migration_started'
  | 'migration_progress'
  | 'migration_completed'
  | 'migration_failed'
  | 'deleted';

export interface StorageEvent {
  action: StorageAction;
  volume: Volume;
}

/** A volume with its bytes, as persisted. */
export interface StoredVolume {
  volume: Volume;
  content: Buffer;
  /** The copy on the target tier while the volume moves. */
  copy?: Buffer;
}
