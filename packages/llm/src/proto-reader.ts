import { DymuError } from '@dymu/core';

/** One field of a protobuf message as it appears on the wire. */
export type ProtoField =
  /** varint (int32 / int64 / bool / enum): the low 32 bits, as a signed int32. */
  | { field: number; wire: 'varint'; value: number }
  | { field: number; wire: 'fixed32'; bytes: Uint8Array }
  | { field: number; wire: 'fixed64'; bytes: Uint8Array }
  | { field: number; wire: 'bytes'; bytes: Uint8Array };

const WIRE = { 0: 'varint', 1: 'fixed64', 2: 'bytes', 5: 'fixed32' } as const;

/**
 * The fields of one protobuf message (wire format only, no schema), in file order. Groups, a field
 * number 0, an unknown wire type, a varint longer than 10 bytes or a length past the end are a
 * DymuError naming `file` and `path` (the message's place in the file, e.g. `pieces[3]`).
 */
export function protoFields(bytes: Uint8Array, file: string, path: string): ProtoField[] {
  const fields: ProtoField[] = [];
  const fail: (message: string, offset: number) => never = (message, offset) => {
    throw new DymuError(`not a protobuf message: ${message} at byte ${offset}`, { file, field: path || undefined });
  };
  let pos = 0;
  const varint = (): number => {
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) fail('a varint runs past the end', pos);
      const b = bytes[pos++];
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return low | 0;
    }
    return fail('a varint longer than 10 bytes', pos);
  };
  const take = (length: number, start: number): Uint8Array => {
    if (length < 0 || pos + length > bytes.length) fail(`a field of ${length >>> 0} bytes runs past the end`, start);
    const out = bytes.subarray(pos, pos + length);
    pos += length;
    return out;
  };
  while (pos < bytes.length) {
    const start = pos;
    const tag = varint() >>> 0;
    const field = tag >>> 3;
    const wire = WIRE[(tag & 7) as keyof typeof WIRE];
    if (field === 0) fail('field number 0', start);
    if (wire === undefined) fail(`wire type ${tag & 7} of field ${field}`, start);
    if (wire === 'varint') fields.push({ field, wire, value: varint() });
    else if (wire === 'bytes') fields.push({ field, wire, bytes: take(varint(), start) });
    else fields.push({ field, wire, bytes: take(wire === 'fixed32' ? 4 : 8, start) });
  }
  return fields;
}
