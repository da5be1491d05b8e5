import type { YubikeyErrorCode } from '../errors.ts';

/** What the importer accepts: a whole string/bytes, or chunks (a Node Readable is an AsyncIterable). */
export type SeedInput =
  | string
  | Uint8Array
  | Iterable<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>;

export type Line =
  | { readonly no: number; readonly text: string }
  | { readonly no: number; readonly tooLong: true };

/** A failure that ends the whole import (size, encoding, unreadable input). */
export class ImportAbort extends Error {
  readonly code: YubikeyErrorCode;
  readonly line: number | undefined;
  constructor(code: YubikeyErrorCode, message: string, line?: number) {
    super(message);
    this.code = code;
    this.line = line;
  }
}

export interface LineLimits {
  readonly maxBytes: number;
  readonly maxLineLength: number;
  /** Line limit used instead when the input's first non-blank character is `{` or `[` (JSON). */
  readonly jsonMaxLineLength?: number;
}

async function* chunks(input: SeedInput): AsyncGenerator<string | Uint8Array> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield input;
    return;
  }
  if (Symbol.asyncIterator in input) {
    yield* input as AsyncIterable<string | Uint8Array>;
    return;
  }
  if (Symbol.iterator in input) {
    yield* input as Iterable<string | Uint8Array>;
    return;
  }
  throw new TypeError('input must be a string, bytes, or an (async) iterable of chunks');
}

/**
 * Splits the input into lines with bounded memory: at most one line (≤ maxLineLength characters)
 * is held besides the current chunk. A longer line is reported as `tooLong` and skipped; more than
 * `maxBytes` in total aborts. LF and CRLF both end a line; a leading BOM is dropped; bytes must be
 * valid UTF-8.
 */
export async function* readLines(input: SeedInput, limits: LineLimits): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let skipping = false;
  let lineNo = 1;
  let bytes = 0;
  let first = true;
  let sniffed = false;
  let maxLineLength = limits.maxLineLength;
  let jsonMode = false;
  const tooLong = (no: number): Line => {
    // JSON is parsed whole, so an over-long JSON line means an over-large body.
    if (jsonMode)
      throw new ImportAbort('ERR_SEED_FILE_TOO_LARGE', `JSON body exceeds ${maxLineLength} bytes`, no);
    return { no, tooLong: true };
  };
  const feed = function* (text: string): Generator<Line> {
    if (!sniffed) {
      const m = /\S/.exec(text);
      if (m !== null) {
        sniffed = true;
        if ((m[0] === '{' || m[0] === '[') && limits.jsonMaxLineLength !== undefined) {
          maxLineLength = limits.jsonMaxLineLength;
          jsonMode = true;
        }
      }
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!skipping) {
          pending += text.slice(start);
          if (pending.length > maxLineLength + 1) {
            if (jsonMode) tooLong(lineNo);
            skipping = true;
            pending = '';
          }
        }
        return;
      }
      if (skipping) {
        yield tooLong(lineNo);
        skipping = false;
      } else {
        let line = pending + text.slice(start, nl);
        pending = '';
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length > maxLineLength) yield tooLong(lineNo);
        else yield { no: lineNo, text: line };
      }
      lineNo++;
      start = nl + 1;
    }
  };
  const iterator = chunks(input);
  for (;;) {
    let next: IteratorResult<string | Uint8Array>;
    try {
      next = await iterator.next();
    } catch (e) {
      if (e instanceof TypeError && e.message.startsWith('input must be')) throw e;
      throw new ImportAbort('ERR_SEED_INPUT', 'seed input could not be read', lineNo);
    }
    if (next.done === true) break;
    const chunk = next.value;
    let text: string;
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(chunk, 'utf8');
      text = chunk;
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.length;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new ImportAbort('ERR_SEED_ENCODING', 'seed file is not valid UTF-8', lineNo);
      }
    } else {
      throw new TypeError('input chunks must be strings or Uint8Arrays');
    }
    if (bytes > limits.maxBytes) {
      await iterator.return(undefined);
      throw new ImportAbort('ERR_SEED_FILE_TOO_LARGE', `seed file exceeds ${limits.maxBytes} bytes`, lineNo);
    }
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    yield* feed(text);
  }
  try {
    const tail = decoder.decode();
    if (tail.length > 0) yield* feed(tail);
  } catch {
    throw new ImportAbort('ERR_SEED_ENCODING', 'seed file is not valid UTF-8', lineNo);
  }
  if (skipping) yield tooLong(lineNo);
  else if (pending.length > 0) {
    let line = pending;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length > maxLineLength) yield tooLong(lineNo);
    else yield { no: lineNo, text: line };
  }
}
