import { U2fError, type U2fErrorCode } from './errors.ts';

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
  /** Code of the `U2fError` thrown on malformed input. */
  readonly code: U2fErrorCode;
}

/**
 * Strict RFC 8259 JSON parser with limits. Unlike `JSON.parse` it rejects duplicate member
 * names (a parser differential: `JSON.parse` keeps the last, other parsers the first), and
 * it builds null-prototype objects so `__proto__` members stay plain data.
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
    throw new U2fError(this.limits.code, `invalid JSON: ${why}`);
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
