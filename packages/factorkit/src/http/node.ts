import type { IncomingMessage, ServerResponse } from 'node:http';

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
          ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
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

/**
 * The request body as a web stream with back-pressure. When the handler cancels it (a body over
 * its limit, an unauthenticated request), the rest is drained and discarded so the answer can
 * still be written.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.on('error', (error) => {
        if (done) return;
        done = true;
        controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume();
    },
  });
}
