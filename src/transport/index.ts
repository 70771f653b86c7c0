// The transport's public surface: the HTTP server.
export { createServer } from './createServer.js';
export type { RunningServer, ServerOptions } from './createServer.js';
