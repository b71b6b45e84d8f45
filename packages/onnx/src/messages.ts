import { DymuError } from '@dymu/core';
import { ProtoWriter } from './proto.ts';

// Encoders for the ONNX messages the graph builder emits; field numbers from onnx/onnx.proto.

export type ElemType = 'float32' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8' | 'float16' | 'bfloat16';

/** A tensor dimension: a fixed size, or a name for a symbolic (dynamic) size such as 'batch'. */
export type Dim = number | string;

/**
 * A node attribute. The JS value picks the ONNX attribute type, with no guessing between ints
 * and floats:
 * - integer `number` → INT (a non-integer number is an error: write `{ float: x }`);
 * - `{ float: x }` → FLOAT;
 * - `string` → STRING;
 * - `number[]` or `{ ints: [...] }` → INTS (integers only);
 * - `{ floats: [...] }` → FLOATS.
 */
export type AttrValue = number | string | number[] | { ints: number[] } | { float: number } | { floats: number[] };

/** Initializer data; a Uint8Array is uint8 (packed 4-bit weights), an Int8Array int8. */
export type WeightData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

const DATA_TYPE: Record<ElemType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, bfloat16: 16 };
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 };

export function elemTypeOf(data: WeightData): ElemType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  return data instanceof Int8Array ? 'int8' : 'int32';
}

/** TensorProto with the data as little-endian raw_data (referenced until the model is finished). */
export function tensorProto(name: string, data: WeightData, dims: readonly number[]): ProtoWriter {
  return new ProtoWriter()
    .packedVarints(1, dims)
    .varint(2, DATA_TYPE[elemTypeOf(data)])
    .string(8, name)
    .bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Where an initializer's little-endian bytes lie in a file: ONNX external data. */
export interface ExternalData {
  /** The file, relative to the model file's folder (onnxruntime refuses paths that leave it). */
  location: string;
  offset: number;
  length: number;
  type: ElemType;
}

/** TensorProto whose data stays in a file (data_location EXTERNAL), read by onnxruntime itself. */
export function externalTensorProto(name: string, data: ExternalData, dims: readonly number[]): ProtoWriter {
  const w = new ProtoWriter().packedVarints(1, dims).varint(2, DATA_TYPE[data.type]).string(8, name);
  for (const [key, value] of [['location', data.location], ['offset', String(data.offset)], ['length', String(data.length)]]) {
    w.message(13, new ProtoWriter().string(1, key).string(2, value));
  }
  return w.varint(14, 1);
}

/** ValueInfoProto of a tensor: name, element type and shape (TypeProto.Tensor, TensorShapeProto). */
export function valueInfoProto(name: string, type: ElemType, shape: readonly Dim[]): ProtoWriter {
  const tensorShape = new ProtoWriter();
  for (const d of shape) {
    const dim = typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d);
    tensorShape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, DATA_TYPE[type]).message(2, tensorShape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export function attributeProto(name: string, value: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  const ints = (values: number[]) => w.varint(20, ATTR_TYPE.INTS).packedVarints(8, values.map((v) => integer(name, v)));
  if (typeof value === 'number') return w.varint(20, ATTR_TYPE.INT).varint(3, integer(name, value));
  if (typeof value === 'string') return w.varint(20, ATTR_TYPE.STRING).string(4, value);
  if (Array.isArray(value)) return ints(value);
  if ('ints' in value) return ints(value.ints);
  if ('float' in value) return w.varint(20, ATTR_TYPE.FLOAT).float(2, value.float);
  return w.varint(20, ATTR_TYPE.FLOATS).packedFloats(7, value.floats);
}

export interface NodeSpec {
  opType: string;
  name: string;
  domain: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: Record<string, AttrValue>;
}

export function nodeProto(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  if (node.domain !== '') w.string(7, node.domain);
  for (const [key, value] of Object.entries(node.attrs)) w.message(5, attributeProto(key, value));
  return w;
}

/** ModelProto around a finished GraphProto; `opsets` maps a domain ('' = ai.onnx) to its version. */
export function modelProto(graph: ProtoWriter, opsets: ReadonlyMap<string, number>, irVersion: number): ProtoWriter {
  const w = new ProtoWriter().varint(1, irVersion).string(2, 'dymu-ts');
  for (const [domain, version] of opsets) w.message(8, new ProtoWriter().string(1, domain).varint(2, version));
  return w.message(7, graph);
}

function integer(attr: string, v: number): number {
  if (!Number.isSafeInteger(v)) {
    throw new DymuError(`${v} is not an integer; write { float: ${v} } for a FLOAT attribute`, { field: `attribute ${attr}` });
  }
  return v;
}
