import { readBodyText } from '../body.ts';
import { cause, oktaError } from './errors.ts';

/** Default JSON body limit (a WebAuthn attestation with a certificate chain fits easily). */
export const DEFAULT_MAX_JSON_BYTES: number = 64 * 1024;
const MAX_DEPTH = 16;

export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly response: Response };

function depthOk(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => depthOk(v, depth + 1));
  if (typeof value === 'object' && value !== null)
    return Object.values(value).every((v) => depthOk(v, depth + 1));
  return true;
}

export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const type = header.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads a JSON body: size limit first (declared length and streamed bytes), then
 * `Content-Type: application/json`, then parse and a nesting limit. An empty body is
 * `undefined` (Okta's "verify without body"). Every failure is an Okta error response.
 */
export async function readJson(request: Request, maxBytes: number): Promise<JsonBody> {
  const text = await readBodyText(request, maxBytes);
  if (!text.ok) {
    return {
      ok: false,
      response:
        text.reason === 'TOO_LARGE'
          ? oktaError('E0000093', [cause(`the request body exceeds ${maxBytes} bytes`, 'body')])
          : oktaError('E0000003', [cause('the request body is not valid UTF-8', 'body')]),
    };
  }
  if (text.text.trim() === '') return { ok: true, value: undefined };
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return {
      ok: false,
      response: oktaError('E0000019', [cause('Content-Type must be application/json', 'Content-Type')]),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text.text);
  } catch {
    return {
      ok: false,
      response: oktaError('E0000003', [cause('the request body is not valid JSON', 'body')]),
    };
  }
  if (!depthOk(value, 0)) {
    return {
      ok: false,
      response: oktaError('E0000003', [cause(`the request body nests deeper than ${MAX_DEPTH}`, 'body')]),
    };
  }
  return { ok: true, value };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
