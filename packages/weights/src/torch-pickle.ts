import { DymuError } from '@dymu/core';

/** A storage a torch.save checkpoint refers to by persistent id: entry `data/<key>` of the zip. */
export interface TorchStorage {
  key: string;
  /** safetensors' dtype names (F32, F16, BF16, F64, I64, …). */
  dtype: string;
  elementSize: number;
  numel: number;
}

/** A tensor as torch._utils._rebuild_tensor_v2 would make it: a window on a storage. */
export interface TorchTensor {
  storage: TorchStorage;
  /** In elements. */
  storageOffset: number;
  shape: number[];
  stride: number[];
}

/** torch.<X>Storage → dtype and bytes per element. */
const STORAGES: Record<string, [string, number]> = {
  FloatStorage: ['F32', 4], HalfStorage: ['F16', 2], BFloat16Storage: ['BF16', 2], DoubleStorage: ['F64', 8],
  LongStorage: ['I64', 8], IntStorage: ['I32', 4], ShortStorage: ['I16', 2], CharStorage: ['I8', 1], ByteStorage: ['U8', 1], BoolStorage: ['BOOL', 1],
};

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
/** The only globals a state dict may name; nothing is ever called, each is interpreted here. */
const GLOBALS = new Set([ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER, ...Object.keys(STORAGES).map((s) => `torch.${s}`)]);

class Global {
  constructor(readonly name: string) {}
}
const MARK = Symbol('mark');
type Value = null | boolean | number | string | Global | Value[] | Map<Value, Value> | TorchStorage | TorchTensor | typeof MARK;

/**
 * The tensors of a state dict pickled by torch.save (protocol 2; the opcodes it emits, plus the
 * memo / framing opcodes of protocol 4): an OrderedDict or dict of names to tensors, each rebuilt
 * by `_rebuild_tensor_v2` (or wrapped by `_rebuild_parameter`) on a storage named by persistent id.
 * Any other opcode or global is refused, naming it: nothing in the pickle is ever executed.
 */
export function parseStateDict(pickle: Uint8Array, file: string): Map<string, TorchTensor> {
  const data = Buffer.from(pickle.buffer, pickle.byteOffset, pickle.byteLength);
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let at = 0;
  const fail = (message: string): never => {
    throw new DymuError(`${message} (pickle byte ${at}); only a state dict of tensors can be read`, { file });
  };
  const need = (n: number) => {
    if (at + n > data.length) fail('pickle ends too early');
    const start = at;
    at += n;
    return start;
  };
  const pop = (): Value => (stack.length === 0 ? fail('pickle stack is empty') : (stack.pop() as Value));
  const popMark = (): Value[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no MARK on the pickle stack');
    return stack.splice(i).slice(1);
  };
  const line = () => {
    const end = data.indexOf(0x0a, at);
    if (end < 0) fail('pickle ends inside a GLOBAL');
    const text = data.toString('utf8', at, end);
    at = end + 1;
    return text;
  };
  const setItems = (dict: Value, items: Value[]) => {
    if (!(dict instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) (dict as Map<Value, Value>).set(items[i], items[i + 1]);
  };
  for (;;) {
    const op = data[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x2e: return stateDict(pop(), file); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(data.readUInt8(need(1))); break; // BININT1
      case 0x4d: stack.push(data.readUInt16LE(need(2))); break; // BININT2
      case 0x4a: stack.push(data.readInt32LE(need(4))); break; // BININT
      case 0x8a: { const n = data.readUInt8(need(1)); stack.push(long(data, need(n), n, fail)); break; } // LONG1
      case 0x58: { const n = data.readUInt32LE(need(4)); stack.push(data.toString('utf8', need(n), at)); break; } // BINUNICODE
      case 0x8c: { const n = data.readUInt8(need(1)); stack.push(data.toString('utf8', need(n), at)); break; } // SHORT_BINUNICODE
      case 0x55: { const n = data.readUInt8(need(1)); stack.push(data.toString('latin1', need(n), at)); break; } // SHORT_BINSTRING
      case 0x54: { const n = data.readUInt32LE(need(4)); stack.push(data.toString('latin1', need(n), at)); break; } // BINSTRING
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x65: { const items = popMark(); const list = stack.at(-1); if (!Array.isArray(list)) fail('APPENDS to something that is not a list'); (list as Value[]).push(...items); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(stack.at(-1) ?? null, [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(stack.at(-1) ?? null, items); break; } // SETITEMS
      case 0x71: memo.set(data.readUInt8(need(1)), stack.at(-1) ?? null); break; // BINPUT
      case 0x72: memo.set(data.readUInt32LE(need(4)), stack.at(-1) ?? null); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack.at(-1) ?? null); break; // MEMOIZE
      case 0x68: stack.push(recall(memo, data.readUInt8(need(1)), fail)); break; // BINGET
      case 0x6a: stack.push(recall(memo, data.readUInt32LE(need(4)), fail)); break; // LONG_BINGET
      case 0x63: { const name = `${line()}.${line()}`; if (!GLOBALS.has(name)) fail(`global ${name} is not allowed`); stack.push(new Global(name)); break; } // GLOBAL
      case 0x51: stack.push(storage(pop(), fail)); break; // BINPERSID
      case 0x52: { const args = pop(); stack.push(reduce(pop(), args, fail)); break; } // REDUCE
      case 0x62: { pop(); if (!(stack.at(-1) instanceof Map)) fail('BUILD on something that is not an OrderedDict'); break; } // BUILD: an OrderedDict's _metadata
      default: fail(`opcode 0x${op.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(op))}) is not allowed`);
    }
  }
}

/** LONG1's n-byte little-endian two's-complement integer. */
function long(data: Buffer, start: number, n: number, fail: (m: string) => never): number {
  if (n > 8) fail(`LONG1 of ${n} bytes is too large`);
  let value = 0n;
  for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[start + i]);
  if (n > 0 && data[start + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) fail(`integer ${value} is too large`);
  return Number(value);
}

function recall(memo: Map<number, Value>, key: number, fail: (m: string) => never): Value {
  return memo.has(key) ? (memo.get(key) as Value) : fail(`memo entry ${key} was never stored`);
}

/** A persistent id ('storage', torch.<X>Storage, key, location, numel) → the storage it names. */
function storage(pid: Value, fail: (m: string) => never): TorchStorage {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') return fail(`persistent id ${describe(pid)} is not a storage`);
  const [, type, key, , numel] = pid;
  const name = type instanceof Global ? type.name.replace(/^torch\./, '') : '';
  if (!Object.hasOwn(STORAGES, name)) return fail(`persistent id names ${describe(type)}, not a storage type`);
  if (typeof key !== 'string' || !isCount(numel)) return fail(`persistent id ${describe(pid)} lacks a key or element count`);
  const [dtype, elementSize] = STORAGES[name];
  return { key, dtype, elementSize, numel };
}

function reduce(callable: Value, args: Value, fail: (m: string) => never): Value {
  if (!(callable instanceof Global) || !Array.isArray(args)) return fail(`REDUCE of ${describe(callable)} on ${describe(args)}`);
  if (callable.name === ORDERED_DICT) {
    if (args.length !== 0) fail('OrderedDict built from arguments');
    return new Map();
  }
  if (callable.name === REBUILD_PARAMETER) {
    if (!isTensor(args[0])) fail('_rebuild_parameter of something that is not a tensor');
    return args[0];
  }
  if (callable.name === REBUILD_TENSOR) {
    const [storage, offset, shape, stride] = args;
    if (!isStorage(storage) || !isCount(offset) || !isCountList(shape) || !isCountList(stride) || shape.length !== stride.length) {
      return fail(`_rebuild_tensor_v2 arguments ${describe(args)} are not (storage, offset, size, stride, …)`);
    }
    return { storage, storageOffset: offset, shape, stride } satisfies TorchTensor;
  }
  return fail(`${callable.name} cannot be called`);
}

function stateDict(top: Value, file: string): Map<string, TorchTensor> {
  if (!(top instanceof Map)) throw new DymuError(`holds ${describe(top)}, not a state dict (a dict of tensors)`, { file });
  const out = new Map<string, TorchTensor>();
  for (const [name, value] of top) {
    if (typeof name !== 'string') throw new DymuError(`state dict key ${describe(name)} is not a string`, { file });
    if (!isTensor(value)) throw new DymuError(`holds ${describe(value)}, not a tensor`, { file, field: name });
    out.set(name, value);
  }
  return out;
}

function isStorage(v: Value): v is TorchStorage {
  return typeof v === 'object' && v !== null && 'elementSize' in v;
}

function isTensor(v: Value): v is TorchTensor {
  return typeof v === 'object' && v !== null && 'storageOffset' in v;
}

function isCount(v: Value): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isCountList(v: Value): v is number[] {
  return Array.isArray(v) && v.every(isCount);
}

function describe(v: Value): string {
  if (v instanceof Global) return v.name;
  if (v instanceof Map) return 'a dict';
  if (Array.isArray(v)) return `(${v.map(describe).join(', ')})`;
  if (isTensor(v)) return 'a tensor';
  if (isStorage(v)) return 'a storage';
  if (v === MARK) return 'a MARK';
  return JSON.stringify(v);
}
