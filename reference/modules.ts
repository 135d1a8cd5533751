import { createAutoscalingModule } from './autoscaling/module';
import { createConsensusModule } from './consensus/module';
import { createAccountsModule, createAuthModule } from './core/auth/module';
import { createDashboardModule } from './core/dashboard';
import { createHealthModule } from './core/health/module';
import { createRateLimitModule } from './core/rate-limit';
import { createSimulationModule } from './core/simulation';
import { createStreamModule } from './core/stream';
import { createUiModule } from './core/ui/module';
import { createVmsModule } from './core/vms/module';
import { createMigrationModule } from './federation/migration-module';
import { createFederationModule } from './federation/module';
import { createMlestarModule } from './mlestar/module';
import type { ReferenceModuleFactory } from './module';
import { createNetworkModule } from './network/module';
import { createPerfModule } from './perf/module';
import { createStorageModule } from './storage/module';

/**
 * Every module of the reference, in start order (migrations, routes, hooks). The core comes first:
 * rate limiting must be the first hook. Add a domain with one line: `createAutoscalingModule,`.
 */
export const modules: ReferenceModuleFactory[] = [
  createRateLimitModule,
  createHealthModule,
  createAuthModule,
  createAccountsModule,
  createVmsModule,
  createDashboardModule,
  createStreamModule,
  createSimulationModule,
  createConsensusModule,
  createAutoscalingModule,
  createPerfModule,
  createMlestarModule,
  createFederationModule,
  createMigrationModule,
  createStorageModule,
  createNetworkModule,
  createUiModule,
];
