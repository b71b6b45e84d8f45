/** The arrays one after another. */
export function concat(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((offset, a) => (out.set(a, offset), offset + a.length), 0);
  return out;
}

/** An int64 vector input of an onnxruntime graph (a shape, sizes). */
export function int64Vector(values: readonly number[]): { data: BigInt64Array; dims: number[] } {
  return { data: BigInt64Array.from(values, BigInt), dims: [values.length] };
}
