// The Git host simulator's public surface.
export { HostSimulator, type HostSimulatorOptions } from './HostSimulator.js';
export type { FaultKind, FaultMatch, FaultRule } from './FaultInjector.js';
export type { SimTokenOptions } from './SimAccess.js';
export type { SimCounter, SimStatsSnapshot, SimWebhookDelivery } from './SimStats.js';
export type { SimWebhook } from './WebhookSender.js';
export { createSimGit } from './simGit.js';
export type { SimGit, SimRepository } from './types.js';
