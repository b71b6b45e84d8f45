import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { streamJson, type JsonMember, type StreamJsonOptions } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'dymu-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function fileWith(text: string): string {
  const file = join(dir, `f${files++}.json`);
  writeFileSync(file, text);
  return file;
}

async function collect(file: string, options: StreamJsonOptions): Promise<JsonMember[]> {
  const out: JsonMember[] = [];
  for await (const m of streamJson(file, options)) out.push(m);
  return out;
}

/** Strings that break naive scanners: escaped quotes and backslashes, brackets, multi-byte characters. */
const TRICKY = ['a"]}[{', '\\', '\\\\"', 'tab\tnew\nline', 'é中😀', '\u0000\u001f', '"', ''];
const records = TRICKY.map((s, i) => ({ id: i, s, nested: { list: [s, [s], { s }], n: -1.5e-3, t: true, f: false, z: null } }));

describe('streamJson', () => {
  // Chunk sizes of a few bytes split every token, escape and multi-byte character somewhere.
  const chunkSizes = [1, 2, 3, 5, 7, 64, 1 << 20];

  it('yields the members of a top-level array like JSON.parse, for any chunk size', async () => {
    const file = fileWith(JSON.stringify([...records, 1, 'x', null, [], {}], null, 2));
    const expected = JSON.parse(JSON.stringify([...records, 1, 'x', null, [], {}]));
    for (const chunkSize of chunkSizes) {
      const members = await collect(file, { container: 'array', chunkSize });
      expect(members.map((m) => m.value)).toEqual(expected);
      expect(members.map((m) => m.key)).toEqual(expected.map((_: unknown, i: number) => i));
      expect(members[2].field).toBe('[2]');
    }
  });

  it('yields the members of a top-level object with their keys', async () => {
    const object = Object.fromEntries(records.map((r) => [`k"${r.s}`, r]));
    const file = fileWith(JSON.stringify(object));
    for (const chunkSize of chunkSizes) {
      const members = await collect(file, { container: 'object', chunkSize });
      expect(Object.fromEntries(members.map((m) => [m.key, m.value]))).toEqual(JSON.parse(JSON.stringify(object)));
    }
    expect((await collect(file, { container: 'object' }))[1].field).toBe(JSON.stringify([`k"\\`]));
  });

  it('streams a container inside the top-level object, skipping the values around it', async () => {
    const file = fileWith(JSON.stringify({ info: { s: TRICKY, deep: [[[{ a: '}]' }]]] }, n: 3, images: records, annotations: records }));
    for (const chunkSize of chunkSizes) {
      const members = await collect(file, { path: ['images'], container: 'array', chunkSize });
      expect(members.map((m) => m.value)).toEqual(JSON.parse(JSON.stringify(records)));
      expect(members[3].field).toBe('images[3]');
    }
    const nested = fileWith(JSON.stringify({ a: { skip: [1], b: { c: [10, 20] } } }));
    expect((await collect(nested, { path: ['a', 'b', 'c'], container: 'array' })).map((m) => [m.field, m.value])).toEqual([
      ['a.b.c[0]', 10],
      ['a.b.c[1]', 20],
    ]);
  });

  it('streams 20k records one at a time: JSON.parse never sees more than one record', async () => {
    const entry = (i: number) => ({
      id: String(i).padStart(12, '0'),
      image: `coco/train2017/${String(i).padStart(12, '0')}.jpg`,
      conversations: [
        { from: 'human', value: `<image>\nWhat is "in" image ${i}? [${'x'.repeat(i % 50)}]` },
        { from: 'gpt', value: 'A cat {on} a mat.\\' },
      ],
    });
    const file = fileWith(`[\n${Array.from({ length: 20_000 }, (_, i) => JSON.stringify(entry(i), null, 1)).join(',\n')}\n]\n`);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      let count = 0;
      for await (const { key, value } of streamJson(file, { container: 'array', chunkSize: 1 << 16 })) {
        if (count % 997 === 0) expect(value).toEqual(entry(key as number));
        count++;
      }
      expect(count).toBe(20_000);
      const longest = Math.max(...parse.mock.calls.map(([text]) => text.length));
      expect(longest).toBeLessThan(500);
    } finally {
      parse.mockRestore();
    }
  });

  it('stops reading when the consumer stops', async () => {
    const file = fileWith(`[${Array.from({ length: 1000 }, (_, i) => i).join(',')}, oops`);
    const first: unknown[] = [];
    for await (const { value } of streamJson(file, { container: 'array', chunkSize: 16 })) {
      first.push(value);
      if (first.length === 3) break;
    }
    expect(first).toEqual([0, 1, 2]);
  });

  describe('bad files: a DymuError naming the file, the record and the position', () => {
    const fails = async (text: string, options: Partial<StreamJsonOptions> = {}) => {
      const file = fileWith(text);
      const error = await collect(file, { chunkSize: 4, container: 'array', ...options }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.name).toBe('DymuError');
      return { file, message: error!.message };
    };

    it('a record that is not JSON', async () => {
      const { file, message } = await fails('[{"a": 1}, {"a": tru}, {"a": 3}]');
      expect(message).toMatch(new RegExp(`^${file}: \\[1\\]: not valid JSON: .* \\(character 11\\)$`));
    });

    it('a missing comma between records', async () => {
      const { file, message } = await fails('[{"a": 1} {"a": 2}]');
      expect(message).toBe(`${file}: [0]: expected ',' or ']' (character 10)`);
    });

    it('a truncated file', async () => {
      const { file, message } = await fails('{"x": {"a": 1}, "y": {"b": [1, 2', { container: 'object' });
      expect(message).toBe(`${file}: ["y"]: unexpected end of file (character 32)`);
    });

    it('an unterminated string', async () => {
      const { file, message } = await fails('[{"a": "abc');
      expect(message).toBe(`${file}: [0]: unterminated string (character 11)`);
    });

    it('mismatched brackets in a skipped value', async () => {
      const { file, message } = await fails('{"info": [1, 2}, "images": []}', { path: ['images'] });
      expect(message).toBe(`${file}: unexpected '}' (character 14)`);
    });

    it('a trailing comma', async () => {
      const { file, message } = await fails('[1, 2, ]');
      expect(message).toBe(`${file}: [2]: expected a value (character 7)`);
    });

    it('text after the top-level value', async () => {
      const { file, message } = await fails('[1] [2]');
      expect(message).toBe(`${file}: unexpected text after the top-level value (character 4)`);
    });

    it('no such key on the path', async () => {
      const { file, message } = await fails('{"info": {}, "annotations": []}', { path: ['images'] });
      expect(message).toBe(`${file}: no key "images"`);
    });

    it('a path through something that is not an object', async () => {
      const { file, message } = await fails('{"data": [1]}', { path: ['data', 'x'] });
      expect(message).toBe(`${file}: expected an object at data (character 9)`);
    });

    it('a top-level value that is not a container', async () => {
      const { file, message } = await fails('"just a string"');
      expect(message).toBe(`${file}: expected an array of records, found a value starting with '"' (character 0)`);
    });

    it('an array where an object keyed by id is expected, and the other way round (ids would become "0", "1", …)', async () => {
      const array = await fails('[{"imageId": "n1"}]', { container: 'object' });
      expect(array.message).toBe(`${array.file}: expected an object of records keyed by id, found an array (character 0)`);
      const object = await fails('{"0": {"image": "a.jpg"}}');
      expect(object.message).toBe(`${object.file}: expected an array of records, found an object (character 0)`);
      const inside = await fails('{"data": {"q1": {}}}', { path: ['data'] });
      expect(inside.message).toBe(`${inside.file}: expected an array of records at data, found an object (character 9)`);
      const empty = await fails('[]', { container: 'object' });
      expect(empty.message).toBe(`${empty.file}: expected an object of records keyed by id, found an array (character 0)`);
    });

    it('an empty file', async () => {
      const { file, message } = await fails('');
      expect(message).toBe(`${file}: expected an array of records, found the end of the file (character 0)`);
    });

    it('a file that does not exist', async () => {
      const file = join(dir, 'absent.json');
      await expect(collect(file, { container: 'array' })).rejects.toThrow(`${file}: cannot read: ENOENT`);
    });
  });

  it('skips a UTF-8 byte order mark at the start of the file, for any chunk size, and keeps one inside a string', async () => {
    const file = fileWith('\uFEFF{"q1": {"s": "\uFEFFa"}, "q2": {"s": "b"}}');
    expect(readFileSync(file).subarray(0, 4)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x7b]));
    for (const chunkSize of chunkSizes) {
      const members = await collect(file, { container: 'object', chunkSize });
      expect(members.map((m) => [m.key, m.value])).toEqual([['q1', { s: '\uFEFFa' }], ['q2', { s: 'b' }]]);
    }
    const bad = fileWith('\uFEFF[1, 2, ]');
    await expect(collect(bad, { container: 'array', chunkSize: 2 })).rejects.toThrow(`${bad}: [2]: expected a value (character 8)`);
  });
});
