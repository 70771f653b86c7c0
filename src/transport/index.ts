// The transport's public surface: the HTTP server and the webhook router.
export { createServer } from './createServer.js';
export type { RunningServer, ServerOptions } from './createServer.js';
export { createWebhookRouter } from './createWebhookRouter.js';
export type { WebhookAnswer, WebhookRouterOptions } from './createWebhookRouter.js';
export type { DeliveryLog } from './DeliveryLog.js';
export { InMemoryDeliveryLog } from './InMemoryDeliveryLog.js';
export type { InMemoryDeliveryLogOptions } from './InMemoryDeliveryLog.js';
