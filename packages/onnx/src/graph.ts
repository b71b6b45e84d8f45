import { DymuError, type FileTensor, isFileTensor, numel } from '@dymu/core';
import { ProtoWriter } from './proto.ts';
import {
  type AttrValue,
  type Dim,
  type ElemType,
  type WeightData,
  externalTensorProto,
  modelProto,
  nodeProto,
  tensorProto,
  valueInfoProto,
} from './messages.ts';

export type { AttrValue, Dim, ElemType, WeightData } from './messages.ts';

/** A tensor in the graph under construction: a graph input, an initializer or a node output. */
export interface Value {
  readonly name: string;
}

export interface OpOptions {
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Node name; also the base of its output names. Made unique with a suffix if taken. */
  name?: string;
  /** Operator domain, '' (ai.onnx) by default; other domains are imported at version 1. */
  domain?: string;
}

/** An initializer's data that stays in a file, under the name (`path`) the model refers to it by. */
export interface ExternalTensor {
  path: string;
  tensor: FileTensor;
}

/** A finished model: its bytes, and the file tensors that onnxruntime reads for its external initializers. */
export interface OnnxModel {
  bytes: Uint8Array;
  external: ExternalTensor[];
}

const FILE_TYPES: Record<FileTensor['dtype'], ElemType> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', U8: 'uint8', I8: 'int8' };
const FLOAT = 1; // TensorProto.FLOAT, Cast's `to`

const IR_VERSION = 8;
const MAX_PROTO_BYTES = 2 ** 31 - 1;

/**
 * Builds an ONNX graph node by node, in topological order (a node can only use values that exist).
 * Each piece is encoded as it is added; weights are referenced, not copied, until `toBytes()`.
 */
export class GraphBuilder {
  private readonly graph: ProtoWriter;
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly outputNames = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly constants = new Map<string, Value>();
  private readonly external: ExternalTensor[] = [];

  constructor(readonly name: string) {
    this.graph = new ProtoWriter().string(2, name);
  }

  input(name: string, type: ElemType, shape: Dim[]): Value {
    const info = valueInfoProto(name, type, checkShape(name, shape));
    this.claim(name);
    this.graph.message(11, info);
    return { name };
  }

  /**
   * Large weight. From memory it is stored as a raw_data TensorProto (referenced, not copied, until
   * the model is finished); from a file (`FileTensor`) it stays there as ONNX external data that
   * the session pool reads straight into onnxruntime. F16 / BF16 file data is cast to float32 by a
   * Cast node that onnxruntime folds when it creates the session.
   */
  initializer(name: string, data: WeightData | FileTensor, shape: number[]): Value {
    const size = checkShape(name, shape).reduce((a, b) => a * b, 1);
    const length = isFileTensor(data) ? numel(data.shape) : data.length;
    if (length !== size) {
      throw new DymuError(`${length} values do not fit shape [${shape.join(', ')}]`, { field: `initializer ${name}` });
    }
    if (!isFileTensor(data)) {
      this.graph.message(5, tensorProto(this.claim(name), data, shape));
      return { name };
    }
    const type = FILE_TYPES[data.dtype];
    const stored = type === 'float16' || type === 'bfloat16' ? `${name}.${data.dtype}` : name;
    const location = `${this.external.length}.bin`;
    this.graph.message(5, externalTensorProto(this.claim(stored), { location, offset: 0, length: data.byteLength, type }, shape));
    this.external.push({ path: location, tensor: data });
    return stored === name ? { name } : this.op1('Cast', [{ name: stored }], { to: FLOAT }, name);
  }

  /** Small int64 constant (a shape, axes, a scalar with shape []); equal constants are shared. */
  constInt64(values: number[], shape: number[] = [values.length]): Value {
    return this.constant(`int64 ${shape} ${values}`, shape, () => BigInt64Array.from(values, (v) => BigInt(checkInt(v))));
  }

  /** Small float32 constant; equal constants are shared. */
  constFloat(values: number[], shape: number[] = [values.length]): Value {
    return this.constant(`float32 ${shape} ${values}`, shape, () => Float32Array.from(values));
  }

  /** Adds a node; a `null` input is an omitted optional input. Returns the node's outputs. */
  op(opType: string, inputs: (Value | null)[], attrs: Record<string, AttrValue> = {}, opts: OpOptions = {}): Value[] {
    const name = fresh(this.nodeNames, opts.name ?? opType);
    const count = opts.outputs ?? 1;
    const outputs = Array.from({ length: count }, (_, i) => fresh(this.valueNames, count === 1 ? name : `${name}:${i}`));
    this.node(opType, name, inputs, outputs, attrs, opts.domain ?? '');
    return outputs.map((n) => ({ name: n }));
  }

  /** Single-output `op`. */
  op1(opType: string, inputs: (Value | null)[], attrs?: Record<string, AttrValue>, name?: string): Value {
    return this.op(opType, inputs, attrs, { name })[0];
  }

  /** Declares `value` as a graph output called `name` (through an Identity node if it has another name). */
  output(value: Value, name: string, type: ElemType, shape: Dim[]): void {
    if (this.outputNames.has(name)) throw new DymuError('declared twice', { field: `output ${name}` });
    this.known(value, `output ${name}`);
    if (value.name !== name) {
      this.node('Identity', fresh(this.nodeNames, name), [value], [name], {}, '');
    }
    this.outputNames.add(name);
    this.graph.message(12, valueInfoProto(name, type, checkShape(name, shape)));
  }

  /** The ModelProto: ai.onnx at `opset` (default 17), IR version 8, producer 'dymu-ts'. Only for graphs whose weights are all in memory. */
  toBytes(opset = 17): Uint8Array {
    const model = this.toModel(opset);
    if (model.external.length > 0) throw new DymuError('the graph has initializers in files: use toModel()', { field: `graph ${this.name}` });
    return model.bytes;
  }

  /** The ModelProto and the file tensors its external initializers name, for `SessionPool.get`. */
  toModel(opset = 17): OnnxModel {
    if (this.outputNames.size === 0) throw new DymuError('the graph has no outputs', { field: `graph ${this.name}` });
    const opsets = new Map([['', opset], ...[...this.domains].map((d): [string, number] => [d, 1])]);
    const model = modelProto(this.graph, opsets, IR_VERSION);
    if (model.length > MAX_PROTO_BYTES) {
      throw new DymuError(`the model is ${model.length} bytes, over the 2 GiB protobuf limit`, { field: `graph ${this.name}` });
    }
    return { bytes: model.finish(), external: [...this.external] };
  }

  private constant(key: string, shape: number[], data: () => WeightData): Value {
    let value = this.constants.get(key);
    if (!value) {
      value = this.initializer(fresh(this.valueNames, 'const'), data(), shape);
      this.constants.set(key, value);
    }
    return value;
  }

  private node(opType: string, name: string, inputs: (Value | null)[], outputs: string[], attrs: Record<string, AttrValue>, domain: string): void {
    const inputNames = inputs.map((v) => (v === null ? '' : this.known(v, `node ${name}`)));
    const node = nodeProto({ opType, name, domain, inputs: inputNames, outputs, attrs });
    for (const output of outputs) this.claim(output);
    this.nodeNames.add(name);
    this.graph.message(1, node);
    if (domain !== '') this.domains.add(domain);
  }

  private claim(name: string): string {
    if (name === '' || this.valueNames.has(name)) throw new DymuError(name === '' ? 'empty name' : 'name already used', { field: `value ${name}` });
    this.valueNames.add(name);
    return name;
  }

  private known(value: Value, user: string): string {
    if (!this.valueNames.has(value.name)) throw new DymuError(`unknown value "${value.name}"`, { field: `${user} in graph ${this.name}` });
    return value.name;
  }
}

/** `base`, or `base_1`, `base_2`, ...: the first name not in `used`. */
function fresh(used: ReadonlySet<string>, base: string): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  return name;
}

function checkShape<D extends Dim>(name: string, shape: D[]): D[] {
  for (const d of shape) {
    if (typeof d === 'number' ? !Number.isSafeInteger(d) || d < 0 : d === '') {
      throw new DymuError(`bad dimension ${JSON.stringify(d)} in [${shape.join(', ')}]`, { field: name });
    }
  }
  return shape;
}

function checkInt(v: number): number {
  if (!Number.isSafeInteger(v)) throw new DymuError(`int64 constant: ${v} is not an integer`);
  return v;
}
