import { CodecError } from './errors.ts';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { readonly [key: string]: JsonValue };

export interface JsonLimits {
  /** Deepest nesting of arrays/objects (the top-level object is depth 1). */
  readonly maxDepth: number;
  /** Most members or elements in one container. */
  readonly maxEntries: number;
}

/**
 * Strict RFC 8259 JSON parser with limits. Unlike `JSON.parse` it rejects duplicate member
 * names (a parser differential: `JSON.parse` keeps the last, other parsers the first), and
 * it builds null-prototype objects so `__proto__` members stay plain data. One linear pass;
 * depth and container sizes are bounded by `limits`, the text's length by the caller.
 *
 * @throws {CodecError} kind `json`
 */
export function parseStrictJson(text: string, limits: JsonLimits): JsonValue {
  const parser = new Parser(text, limits);
  parser.ws();
  const value = parser.value(0);
  parser.ws();
  if (parser.pos !== text.length) parser.fail('data after the JSON value');
  return value;
}

class Parser {
  pos = 0;
  private readonly text: string;
  private readonly limits: JsonLimits;

  constructor(text: string, limits: JsonLimits) {
    this.text = text;
    this.limits = limits;
  }

  fail(why: string): never {
    throw new CodecError('json', `invalid JSON at offset ${this.pos}: ${why}`);
  }

  ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  value(depth: number): JsonValue {
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('unexpected token');
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 64),
    );
    if (match === null) this.fail('unexpected token');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    // Runs without escapes are copied with one slice, not a character at a time.
    let run = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(run);
      if (c === 0x22 || c === 0x5c || c < 0x20 || Number.isNaN(c)) break;
      run++;
    }
    if (this.text.charCodeAt(run) === 0x22) {
      out = this.text.slice(this.pos, run);
      this.pos = run + 1;
      return out;
    }
    out = this.text.slice(this.pos, run);
    this.pos = run;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        const e = this.text[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = this.text.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.fail('bad escape');
        }
        continue;
      }
      out += this.text[this.pos];
      this.pos++;
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > this.limits.maxDepth) this.fail('nested too deeply');
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (out.length >= this.limits.maxEntries) this.fail('too many elements');
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  private object(depth: number): { [key: string]: JsonValue } {
    if (depth > this.limits.maxDepth) this.fail('nested too deeply');
    this.pos++;
    const out: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    let count = 0;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (count >= this.limits.maxEntries) this.fail('too many members');
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const key = this.string();
      if (Object.hasOwn(out, key)) this.fail('duplicate member name');
      this.ws();
      if (this.text[this.pos++] !== ':') this.fail('expected :');
      this.ws();
      out[key] = this.value(depth);
      count++;
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }
}

/**
 * The first of `names` (at most 31) that is a member name twice at the top level of `text`, a
 * JSON text already accepted by `JSON.parse` — which silently keeps the last of duplicate
 * members, so a reader that relies on it must find duplicates of the members it trusts by
 * scanning (catalog CD-2). Names without escapes are compared as written, in place; escaped
 * ones are JSON-decoded, so `"\u0074ype"` is `type`. One linear pass.
 */
export function duplicateTopLevelMember(text: string, names: readonly string[]): string | undefined {
  if (names.length > 31) throw new TypeError('at most 31 member names can be checked');
  let seen = 0;
  let depth = 0;
  let expectKey = false;
  // Position of the next backslash at or after the current string's opening quote, or
  // text.length: a string without one ends at the next quote, found with one indexOf. It only
  // moves forward, so the whole scan stays linear.
  let backslash = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      if (backslash < i) {
        backslash = text.indexOf('\\', i);
        if (backslash === -1) backslash = text.length;
      }
      const quote = text.indexOf('"', i);
      if (quote !== -1 && quote < backslash) {
        i = quote;
      } else {
        while (i < text.length && text.charCodeAt(i) !== 0x22) {
          if (text.charCodeAt(i) === 0x5c /* \ */) {
            escaped = true;
            i += 2;
          } else {
            i++;
          }
        }
      }
      if (depth === 1 && expectKey) {
        expectKey = false;
        // Unescaped names are matched in place (no substring per member).
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : undefined;
        for (let m = 0; m < names.length; m++) {
          const name = names[m] as string;
          const bit = 1 << m;
          const match =
            key === undefined
              ? i - start - 1 === name.length && text.startsWith(name, start + 1)
              : key === name;
          if (match) {
            if ((seen & bit) !== 0) return name;
            seen |= bit;
            break;
          }
        }
      }
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      depth++;
      if (depth === 1 && ch === 0x7b) expectKey = true;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      depth--;
    } else if (ch === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}
