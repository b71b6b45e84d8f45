import { describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { ProtoWriter } from '../src/proto.ts';
import { attributeProto, tensorProto, valueInfoProto } from '../src/messages.ts';

const bytes = (w: ProtoWriter) => [...w.finish()];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

describe('ProtoWriter', () => {
  it('writes varints with their tag', () => {
    expect(bytes(new ProtoWriter().varint(1, 0))).toEqual([0x08, 0x00]);
    expect(bytes(new ProtoWriter().varint(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().varint(2, 2 ** 35))).toEqual([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(bytes(new ProtoWriter().varint(1, 2 ** 53 - 1))).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    // field 20 (AttributeProto.type): the tag 20 << 3 = 160 is itself a two-byte varint
    expect(bytes(new ProtoWriter().varint(20, 7))).toEqual([0xa0, 0x01, 0x07]);
  });

  it('writes negative int64 as 10-byte two\'s complement varints', () => {
    expect(bytes(new ProtoWriter().varint(1, -1))).toEqual([0x08, ...minusOne]);
    expect(bytes(new ProtoWriter().varint(1, -2))).toEqual([0x08, 0xfe, ...minusOne.slice(1)]);
    expect(bytes(new ProtoWriter().varint(1, -(2n ** 63n)))).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('rejects numbers that are not safe integers', () => {
    expect(() => new ProtoWriter().varint(1, 1.5)).toThrow(DymuError);
    expect(() => new ProtoWriter().varint(1, 2 ** 53)).toThrow(DymuError);
  });

  it('writes floats as fixed32 little-endian', () => {
    expect(bytes(new ProtoWriter().float(2, 0.5))).toEqual([0x15, 0x00, 0x00, 0x00, 0x3f]);
    expect(bytes(new ProtoWriter().float(2, -Infinity))).toEqual([0x15, 0x00, 0x00, 0x80, 0xff]);
  });

  it('writes length-delimited strings, bytes and messages', () => {
    expect(bytes(new ProtoWriter().string(2, 'testing'))).toEqual([0x12, 0x07, ...ascii('testing')]);
    expect(bytes(new ProtoWriter().string(2, 'é'))).toEqual([0x12, 0x02, 0xc3, 0xa9]);
    expect(bytes(new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().message(3, new ProtoWriter()))).toEqual([0x1a, 0x00]);
    const long = new Uint8Array(300).fill(7);
    const w = new ProtoWriter().varint(1, 1).bytes(9, long).varint(1, 2);
    expect(w.length).toBe(2 + 3 + 300 + 2);
    expect(bytes(w)).toEqual([0x08, 0x01, 0x4a, 0xac, 0x02, ...long, 0x08, 0x02]);
  });

  it('references byte fields until finish()', () => {
    const data = new Uint8Array([1, 2]);
    const w = new ProtoWriter().bytes(1, data);
    data[0] = 9;
    expect(bytes(w)).toEqual([0x0a, 0x02, 9, 2]);
  });

  it('writes packed repeated fields, and nothing for an empty list', () => {
    expect(bytes(new ProtoWriter().packedVarints(4, [3, 270, 86942]))).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect(bytes(new ProtoWriter().packedVarints(8, [1, -1]))).toEqual([0x42, 0x0b, 0x01, ...minusOne]);
    expect(bytes(new ProtoWriter().packedFloats(7, [1, -2]))).toEqual([0x3a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(bytes(new ProtoWriter().packedVarints(1, []))).toEqual([]);
  });
});

describe('ONNX messages', () => {
  const attr = (name: string) => [0x0a, name.length, ...ascii(name)];
  const type = (t: number) => [0xa0, 0x01, t];

  it('maps attribute values to INT, FLOAT, STRING, INTS and FLOATS', () => {
    expect(bytes(attributeProto('axis', -1))).toEqual([...attr('axis'), ...type(2), 0x18, ...minusOne]);
    expect(bytes(attributeProto('alpha', { float: 0.5 }))).toEqual([...attr('alpha'), ...type(1), 0x15, 0x00, 0x00, 0x00, 0x3f]);
    expect(bytes(attributeProto('mode', 'tanh'))).toEqual([...attr('mode'), ...type(3), 0x22, 0x04, ...ascii('tanh')]);
    expect(bytes(attributeProto('perm', [0, 2]))).toEqual([...attr('perm'), ...type(7), 0x42, 0x02, 0x00, 0x02]);
    expect(bytes(attributeProto('perm', { ints: [0, 2] }))).toEqual(bytes(attributeProto('perm', [0, 2])));
    expect(bytes(attributeProto('s', { floats: [1] }))).toEqual([...attr('s'), ...type(6), 0x3a, 0x04, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('refuses a non-integer plain number, pointing to { float }', () => {
    expect(() => attributeProto('epsilon', 1e-5)).toThrow(/attribute epsilon: 0.00001 is not an integer; write \{ float: 0.00001 \}/);
    expect(() => attributeProto('axes', [0.5])).toThrow(DymuError);
  });

  it('encodes a TensorProto with dims, data type, name and raw little-endian data', () => {
    expect(bytes(tensorProto('w', new Int32Array([1, -2]), [2]))).toEqual([
      0x0a, 0x01, 0x02, // dims (packed)
      0x10, 0x06, // data_type INT32
      0x42, 0x01, ...ascii('w'), // name
      0x4a, 0x08, 0x01, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, // raw_data
    ]);
    // a scalar has no dims
    expect(bytes(tensorProto('s', new BigInt64Array([-1n]), [])).slice(0, 2)).toEqual([0x10, 0x07]);
  });

  it('encodes a ValueInfoProto with fixed and symbolic dims', () => {
    const dimValue = [0x0a, 0x02, 0x08, 0x03]; // Dimension { dim_value: 3 }
    const dimParam = [0x0a, 0x03, 0x12, 0x01, ...ascii('b')]; // Dimension { dim_param: "b" }
    const shape = [0x12, dimParam.length + dimValue.length, ...dimParam, ...dimValue]; // TypeProto.Tensor.shape
    const tensorType = [0x08, 0x01, ...shape]; // elem_type FLOAT, shape
    expect(bytes(valueInfoProto('x', 'float32', ['b', 3]))).toEqual([
      0x0a, 0x01, ...ascii('x'),
      0x12, tensorType.length + 2, 0x0a, tensorType.length, ...tensorType,
    ]);
  });
});
