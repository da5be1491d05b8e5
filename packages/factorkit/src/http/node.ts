import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A fetch-style handler, as every factorkit HTTP surface is. */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Adapts a fetch-style handler to `node:http`'s `(req, res)` listener. The request body is
 * passed on as a stream (the handler enforces its own size limits before reading); the
 * response body is streamed back. A handler that throws gets a bare 500 (handlers return
 * typed error responses themselves; this is the last line only).
 */
export function toNodeListener(
  handler: FetchHandler,
  options: { readonly origin?: string } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      try {
        const host = options.origin ?? `http://${req.headers.host ?? 'localhost'}`;
        const url = new URL(req.url ?? '/', host);
        const headers = new Headers();
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
        }
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const init: RequestInit & { duplex?: 'half' } = {
          method: req.method ?? 'GET',
          headers,
          ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
        };
        const response = await handler(new Request(url, init));
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, key) => {
          out[key] = value;
        });
        res.writeHead(response.status, out);
        if (response.body === null) {
          res.end();
          return;
        }
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
        res.end();
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end();
      }
    })();
  };
}
