import { createReadStream, type ReadStream } from 'node:fs';
import { DymuError } from '@dymu/core';

/** One member of the streamed container. */
export interface JsonMember {
  /** Index in an array, key in an object. */
  key: number | string;
  value: unknown;
  /** Where the member sits, for error messages: `images[3]`, `["075582157X"]`. */
  field: string;
}

export interface StreamJsonOptions {
  /** Keys leading from the top-level object to the container to stream; [] (default) streams the top-level value. */
  path?: readonly string[];
  /** What the streamed container must be: an array of records, or an object of records keyed by id. */
  container: 'array' | 'object';
  /** Bytes read at a time (default 1 MiB). */
  chunkSize?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BOM = 0xfeff;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const endsScalar = (c: number): boolean => isSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET;

/**
 * Yields the members of one array or object of a JSON file, one at a time, reading the file in
 * chunks: memory holds one member plus one chunk, whatever the file size. Only the streamed
 * members are parsed (each with JSON.parse); values beside the path are skipped, checked for
 * balanced brackets and strings only. Reading stops when the streamed container closes. The
 * container must be the one `options.container` names (an array where an object keyed by id is
 * expected would turn the ids into "0", "1", …). A UTF-8 byte order mark before the JSON is skipped.
 */
export async function* streamJson(file: string, options: StreamJsonOptions): AsyncGenerator<JsonMember> {
  const path = options.path ?? [];
  const reader = new Reader(file, options.chunkSize ?? 1 << 20);
  try {
    for (let level = 0; level < path.length; level++) await reader.enter(path[level], path.slice(0, level).join('.'));
    const prefix = path.join('.');
    const c = await reader.peek();
    const expected = options.container === 'array' ? 'an array of records' : 'an object of records keyed by id';
    if (c !== (options.container === 'array' ? LBRACKET : LBRACE)) {
      const found = c === LBRACKET ? 'an array' : c === LBRACE ? 'an object' : c < 0 ? 'the end of the file' : `a value starting with '${String.fromCharCode(c)}'`;
      reader.fail(`expected ${expected}${prefix ? ` at ${prefix}` : ''}, found ${found}`);
    }
    for await (const key of reader.members()) {
      const field = typeof key === 'number' ? `${prefix}[${key}]` : `${prefix}[${JSON.stringify(key)}]`;
      reader.field = field;
      yield { key, value: reader.parse(await reader.value(true)), field };
    }
    reader.field = undefined;
    if (path.length === 0 && (await reader.peek()) !== -1) reader.fail('unexpected text after the top-level value');
  } finally {
    reader.close();
  }
}

/** A window on the file's text: `buf` holds what is still needed, `pos` is the next character to read. */
class Reader {
  /** The record being read, named in errors. */
  field: string | undefined;
  private buf = '';
  private pos = 0;
  /** Characters dropped before buf[0], for error positions. */
  private dropped = 0;
  private readonly stream: ReadStream;
  private readonly chunks: AsyncIterator<string>;

  constructor(
    private readonly file: string,
    chunkSize: number,
  ) {
    this.stream = createReadStream(file, { encoding: 'utf8', highWaterMark: chunkSize });
    this.chunks = this.stream[Symbol.asyncIterator]();
  }

  close(): void {
    this.stream.destroy();
  }

  fail(message: string, at = this.pos): never {
    throw new DymuError(`${message} (character ${this.dropped + at})`, { file: this.file, field: this.field });
  }

  /** JSON.parse of text just read (pos after it). */
  parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (cause) {
      return this.fail(text ? `not valid JSON: ${(cause as Error).message}` : 'expected a value', this.pos - text.length);
    }
  }

  /** Drops the text before `pos`, appends the next chunk; returns how many characters were dropped, or -1 at the end of the file. */
  private async refill(): Promise<number> {
    let next: IteratorResult<string>;
    try {
      next = await this.chunks.next();
    } catch (cause) {
      throw new DymuError(`cannot read: ${(cause as Error).message}`, { file: this.file, cause });
    }
    if (next.done) return -1;
    const first = this.dropped === 0 && this.buf.length === 0;
    const shift = this.pos;
    this.buf = this.buf.slice(shift) + next.value;
    this.dropped += shift;
    this.pos = first && this.buf.charCodeAt(0) === BOM ? 1 : 0;
    return shift;
  }

  /** The next non-space character (pos left on it), or -1 at the end of the file. */
  async peek(): Promise<number> {
    for (;;) {
      while (this.pos < this.buf.length && isSpace(this.buf.charCodeAt(this.pos))) this.pos++;
      if (this.pos < this.buf.length) return this.buf.charCodeAt(this.pos);
      if ((await this.refill()) < 0) return -1;
    }
  }

  /** In the object at pos, moves pos to the value of `key`. */
  async enter(key: string, at: string): Promise<void> {
    if ((await this.peek()) !== LBRACE) this.fail(`expected an object${at ? ` at ${at}` : ''}`);
    for await (const k of this.members()) {
      if (k === key) return;
      await this.value(false);
    }
    throw new DymuError(`no key ${JSON.stringify(key)}`, { file: this.file, field: at || undefined });
  }

  /**
   * The members of the array or object at pos: yields each index or key with pos on its value,
   * which the caller reads with `value()` before asking for the next member.
   */
  async *members(): AsyncGenerator<number | string> {
    const close = this.buf.charCodeAt(this.pos) === LBRACKET ? RBRACKET : RBRACE;
    this.pos++;
    let c = await this.peek();
    if (c === close) {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      let key: number | string = index;
      if (close === RBRACE) {
        if (c !== QUOTE) this.fail('expected a key');
        key = this.parse(await this.value(true)) as string;
        if ((await this.peek()) !== COLON) this.fail(`expected ':' after key ${JSON.stringify(key)}`);
        this.pos++;
        c = await this.peek();
      }
      if (c < 0) this.fail('unexpected end of file');
      yield key;
      c = await this.peek();
      if (c === close) {
        this.pos++;
        return;
      }
      if (c !== COMMA) this.fail(c < 0 ? 'unexpected end of file' : `expected ',' or '${String.fromCharCode(close)}'`);
      this.pos++;
      c = await this.peek();
    }
  }

  /** Reads the value at pos and returns its text; with `keep` false, skips it without holding it (returns ''). */
  async value(keep: boolean): Promise<string> {
    const start = this.buf.charCodeAt(this.pos);
    if (start !== QUOTE && start !== LBRACE && start !== LBRACKET) return this.scalar();
    const stack: number[] = [];
    let inString = false;
    let i = this.pos;
    for (;;) {
      const buf = this.buf;
      const n = buf.length;
      while (i < n) {
        if (inString) {
          // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it.
          const quote = buf.indexOf('"', i);
          const end = quote < 0 ? n : quote;
          let k = end;
          while (k > i && buf.charCodeAt(k - 1) === BACKSLASH) k--;
          const escaped = (end - k) % 2 === 1;
          if (quote < 0) {
            i = escaped ? n + 1 : n; // an escaped first character of the next chunk is skipped
            break;
          }
          i = quote + 1;
          if (escaped) continue;
          inString = false;
        } else {
          const c = buf.charCodeAt(i++);
          if (c === QUOTE) {
            inString = true;
            continue;
          }
          if (c === LBRACE || c === LBRACKET) stack.push(c);
          if (c !== RBRACE && c !== RBRACKET) continue;
          if (stack.pop() !== (c === RBRACE ? LBRACE : LBRACKET)) this.fail(`unexpected '${String.fromCharCode(c)}'`, i - 1);
        }
        if (stack.length === 0) {
          const text = keep ? buf.slice(this.pos, i) : '';
          this.pos = i;
          return text;
        }
      }
      if (!keep) this.pos = Math.min(i, n);
      const shift = await this.refill();
      if (shift < 0) this.fail(inString ? 'unterminated string' : 'unexpected end of file', n);
      i -= shift;
    }
  }

  /** A number, true, false or null: read up to the next delimiter, checked by JSON.parse. */
  private async scalar(): Promise<string> {
    let i = this.pos;
    for (;;) {
      while (i < this.buf.length && !endsScalar(this.buf.charCodeAt(i))) i++;
      if (i === this.buf.length) {
        const shift = await this.refill();
        if (shift >= 0) {
          i -= shift;
          continue;
        }
      }
      const text = this.buf.slice(this.pos, i);
      this.pos = i;
      this.parse(text);
      return text;
    }
  }
}
