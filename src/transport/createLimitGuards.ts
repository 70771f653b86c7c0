import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Limits, LimitCode } from '../graphql/limits/index.js';

/** A GraphQL-shaped refusal for the HTTP layer, before Apollo sees the request. */
function refuse(res: Parameters<RequestHandler>[1], status: number, code: LimitCode, message: string, limit: number, actual?: number): void {
  res.status(status).json({ errors: [{ message, extensions: { code, limit, ...(actual !== undefined ? { actual } : {}) } }] });
}

/**
 * The limits on a `/graphql` HTTP request that Apollo cannot express: the document size
 * (body, or `query` of a GET), the batch size, and an answer at the deadline.
 */
export function createLimitGuards(limits: Limits): { before: RequestHandler; bodyErrors: ErrorRequestHandler; afterBody: RequestHandler } {
  const tooLarge = (actual: number | undefined) =>
    `The request is ${actual !== undefined ? `${actual} bytes` : 'larger than allowed'}; the limit is ${limits.documentBytes} bytes (limits.documentBytes). Send a smaller document: fewer fields, fragments instead of repeated selections, values in variables.`;
  return {
    /** Runs before the body parser: GET queries and the deadline. */
    before: (req, res, next) => {
      const query = typeof req.query.query === 'string' ? req.query.query : undefined;
      const bytes = query !== undefined ? Buffer.byteLength(query) : 0;
      if (bytes > limits.documentBytes) return refuse(res, 413, 'DOCUMENT_TOO_LARGE', tooLarge(bytes), limits.documentBytes, bytes);
      // At the deadline the client gets TIMEOUT; whatever Apollo writes later is dropped.
      const timer = setTimeout(() => {
        if (res.headersSent) return;
        refuse(res, 504, 'TIMEOUT', `The operation ran longer than ${limits.timeoutMs} ms (limits.timeout) and was stopped. Ask for less (smaller pages, fewer nested fields) or try again later.`, limits.timeoutMs);
        const ignore = () => res;
        res.status = ignore as typeof res.status;
        res.setHeader = ignore as unknown as typeof res.setHeader;
        res.send = ignore as typeof res.send;
        res.end = ignore as typeof res.end;
        res.write = (() => true) as typeof res.write;
      }, limits.timeoutMs);
      res.once('close', () => clearTimeout(timer));
      next();
    },
    /** express.json's refusals (too large, not JSON) as GraphQL errors instead of an HTML page. */
    bodyErrors: (error: unknown, _req, res, next) => {
      const failure = error as { type?: string; length?: number; status?: number; message?: string };
      if (failure.type === 'entity.too.large') return refuse(res, 413, 'DOCUMENT_TOO_LARGE', tooLarge(failure.length), limits.documentBytes, failure.length);
      if (failure.type === 'entity.parse.failed') {
        res.status(400).json({ errors: [{ message: `The request body is not valid JSON (${failure.message ?? 'parse error'}). Send {"query": "...", "variables": {...}} with content-type application/json.`, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      next(error);
    },
    /** Runs after the body parser: batched requests. */
    afterBody: (req, res, next) => {
      const body: unknown = req.body;
      if (Array.isArray(body) && body.length > limits.batch) {
        const message =
          limits.batch === 0
            ? `This request batches ${body.length} operations, but batching is off on this gateway (limits.batch). Send one operation per request.`
            : `This request batches ${body.length} operations; the limit is ${limits.batch} (limits.batch). Send them in several requests.`;
        return refuse(res, 400, 'BATCH_TOO_LARGE', message, limits.batch, body.length);
      }
      next();
    },
  };
}
