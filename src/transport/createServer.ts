import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { EventBus } from '../events/index.js';
import { buildSchema, createFormatError } from '../graphql/index.js';
import type { GraphQLContext, IndexControl, TagWriter } from '../graphql/index.js';
import { DEFAULT_LIMITS, documentLimitRules, limitError, requestLimitRules } from '../graphql/limits/index.js';
import type { Limits } from '../graphql/limits/index.js';
import { createLoaders } from '../store/index.js';
import type { RegistryStore } from '../store/index.js';
import { createLimitGuards } from './createLimitGuards.js';
import { createLimitsPlugin } from './createLimitsPlugin.js';
import { graphiqlPage } from './graphiqlPage.js';

export interface ServerOptions {
  store: RegistryStore;
  indexer?: IndexControl;
  /** Writes GTO tags for the mutations; without it they answer that this gateway cannot write. */
  writer?: TagWriter;
  /** The registry events `Subscription.registryEvents` serves (graphql-ws on `/graphql`). */
  events?: EventBus;
  /** Mounted at `/webhooks` before any body parser (signatures are checked on the raw body). */
  webhooks?: express.Router;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  log?: (message: string, error?: unknown) => void;
  /** Cleans every error message that goes to a client (configured tokens and secret shapes); `createRedactor` in log.ts. */
  redact?: (text: string) => string;
  /** What one operation may ask (depth, cost, page size, size, time, aliases, batch, introspection); `DEFAULT_LIMITS` for what is left out. */
  limits?: Partial<Limits>;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  http: Server;
  close(): Promise<void>;
}

/** The prefix of the headers that carry a caller's own host token for one source: `X-Modelgate-Token-<source name>`. */
export const CALLER_TOKEN_HEADER_PREFIX = 'x-modelgate-token-';

/** The caller's host tokens by source name (header names are lower-case in Node). */
export function callerTokensOf(headers: Record<string, string | string[] | undefined>): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(CALLER_TOKEN_HEADER_PREFIX)) continue;
    const token = (Array.isArray(value) ? value[0] : value)?.trim();
    if (token) tokens.set(name.slice(CALLER_TOKEN_HEADER_PREFIX.length), token);
  }
  return tokens;
}

/**
 * Caller tokens of a WebSocket connection: the upgrade request's `X-Modelgate-Token-*` headers
 * (clients that can set them), then the same names in the `connection_init` payload, which
 * is all a browser can send. Payload names are matched case-insensitively, like headers.
 */
function connectionTokensOf(headers: Record<string, string | string[] | undefined>, connectionParams: Readonly<Record<string, unknown>> | undefined): Map<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(connectionParams ?? {})) if (typeof value === 'string') params[name.toLowerCase()] = value;
  return new Map([...callerTokensOf(headers), ...callerTokensOf(params)]);
}

/**
 * The HTTP surface on one port: `/graphql` (Apollo Server 5 over HTTP, graphql-ws over
 * WebSocket for subscriptions), `/graphiql` (served from the installed package; no request
 * leaves the machine), `/healthz`, `/readyz`.
 */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => undefined);
  const app = express();
  app.disable('x-powered-by');
  const http = createHttpServer(app);
  const schema = await buildSchema();
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const documentRules = documentLimitRules(limits);
  const redact = options.redact ?? ((text: string) => text);
  const formatError = createFormatError((message, error) => log(message, error), redact);
  const contextOf = (callerTokens: Map<string, string>): GraphQLContext => ({
    store: options.store,
    loaders: createLoaders(options.store),
    ...(options.indexer ? { indexer: options.indexer } : {}),
    ...(options.writer ? { writer: options.writer } : {}),
    ...(options.events ? { events: options.events } : {}),
    callerTokens,
  });

  // graphql-ws on the same port and path: the HTTP server hands it the upgrade requests.
  const wsServer = new WebSocketServer({ server: http, path: '/graphql' });
  // It repeats the HTTP server's errors (a port in use), which `listen` below already reports.
  wsServer.on('error', () => undefined);
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const ws = useServer(
    {
      schema,
      // Per operation, like an HTTP request: loaders are never shared between two subscriptions.
      context: (ctx) => contextOf(connectionTokensOf(ctx.extra.request.headers, ctx.connectionParams)),
      // The same error codes and masking as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
      // The same limits as over HTTP, checked before anything runs; graphql-ws then parses and validates as usual.
      onSubscribe: (_ctx, _id, payload) => {
        const bytes = Buffer.byteLength(payload.query);
        if (bytes > limits.documentBytes) {
          return [limitError('DOCUMENT_TOO_LARGE', `The document is ${bytes} bytes; the limit is ${limits.documentBytes} bytes (limits.documentBytes). Send a smaller document: fewer fields, values in variables.`, { limit: limits.documentBytes, actual: bytes })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch {
          return undefined; // graphql-ws reports the syntax error itself
        }
        const errors = validate(schema, document, [...specifiedRules, ...documentRules]);
        if (errors.length > 0) return errors.some((e) => e.extensions.code) ? errors.filter((e) => e.extensions.code) : undefined;
        const requestErrors = validate(schema, document, requestLimitRules(limits, { variables: payload.variables ?? undefined, operationName: payload.operationName }));
        return requestErrors.length > 0 ? requestErrors : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Apollo's own switch stays on: `introspection: false` is enforced by NoIntrospectionRule (in
    // `validationRules`, and over WebSocket too) with the INTROSPECTION_DISABLED code.
    introspection: true,
    validationRules: documentRules,
    // A POST must be JSON (or carry a preflighted header): a browser on another site cannot send one unasked.
    csrfPrevention: true,
    allowBatchedHttpRequests: limits.batch > 0,
    plugins: [
      createLimitsPlugin<GraphQLContext>(limits),
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      ApolloServerPluginLandingPageDisabled(),
      // Closes the WebSocket connections (their subscriptions end) when the server stops.
      { serverWillStart: async () => ({ drainServer: async () => await ws.dispose() }) },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const reasons: string[] = [];
    try {
      await options.store.ping();
    } catch (error) {
      reasons.push(redact(`store unreachable: ${error instanceof Error ? error.message : String(error)}`));
    }
    if (options.indexer && !options.indexer.ready) reasons.push('first index pass not finished');
    res.status(reasons.length === 0 ? 200 : 503).json({ ready: reasons.length === 0, reasons });
  });
  if (options.webhooks) app.use('/webhooks', options.webhooks);
  const page = graphiqlPage('/graphql');
  app.get('/graphiql', (_req, res) => {
    res.type('html').send(page);
  });
  app.get('/', (_req, res) => {
    res.redirect('/graphiql');
  });
  const guards = createLimitGuards(limits);
  app.use(
    '/graphql',
    guards.before,
    express.json({ limit: limits.documentBytes }),
    guards.bodyErrors,
    guards.afterBody,
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => contextOf(callerTokensOf(req.headers)),
    }),
  );

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    http,
    close: async () => {
      await apollo.stop();
    },
  };
}
