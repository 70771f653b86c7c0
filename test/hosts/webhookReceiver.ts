import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook delivery as it arrived: the path it was posted to, its headers and its raw body. */
export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on port 0 that records every delivery. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT`; hooks post to paths below it. */
  url: string;
  /** What arrived so far, in order (tests empty it between cases). */
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** Starts a receiver that answers 202, or 500 to anything posted to `/refuse`. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(request.url === '/refuse' ? 500 : 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
