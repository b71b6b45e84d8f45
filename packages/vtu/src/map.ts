import { DymuError } from '@dymu/core';

/**
 * A piece of the LLM input, in order: `length` text rows, or one image's merged tokens with its
 * source map (for each original patch in raster order, the index of the token holding it).
 */
export type Segment = { kind: 'text'; length: number } | { kind: 'image'; tokens: number; source: Int32Array };

/** Virtual sequence → unique rows. */
export interface UnmergeMap {
  /** For each virtual position n (its RoPE position and causal order), its unique row map[n] ∈ [0, unique). */
  readonly map: Int32Array;
  /** N_un: rows the row-wise layers run on (text rows + merged tokens). */
  readonly unique: number;
  /** N: the length attention sees (text rows + original patches). */
  readonly virtual: number;
}

/**
 * VTU's map (DYMU.md section 6): unique rows are the segments' rows in order (an image's tokens in
 * encoder output order); virtual positions are text rows and each image's patches in raster order,
 * patch p pointing at the token source[p]. With `vtu` false (the "no VTU" ablation) the merged
 * tokens are ordinary tokens at consecutive positions: the identity over the unique rows.
 */
export function unmergeMap(segments: readonly Segment[], vtu = true): UnmergeMap {
  let unique = 0;
  let virtual = 0;
  for (const [i, s] of segments.entries()) {
    const rows = s.kind === 'text' ? s.length : s.tokens;
    if (!Number.isInteger(rows) || rows < 0) throw new DymuError(`expected a row count ≥ 0, got ${rows}`, { field: `segments[${i}]` });
    if (s.kind === 'image') checkSource(s, i);
    unique += rows;
    virtual += vtu && s.kind === 'image' ? s.source.length : rows;
  }
  if (!vtu) return { map: Int32Array.from({ length: unique }, (_, n) => n), unique, virtual };
  const map = new Int32Array(virtual);
  let row = 0;
  let n = 0;
  for (const s of segments) {
    if (s.kind === 'text') {
      for (let t = 0; t < s.length; t++) map[n++] = row + t;
      row += s.length;
    } else {
      for (const token of s.source) map[n++] = row + token;
      row += s.tokens;
    }
  }
  return { map, unique, virtual };
}

/** `m` followed by `length` text rows (e.g. generated tokens), each its own group at the next position. */
export function appendText(m: UnmergeMap, length: number): UnmergeMap {
  const map = new Int32Array(m.virtual + length);
  map.set(m.map);
  for (let t = 0; t < length; t++) map[m.virtual + t] = m.unique + t;
  return { map, unique: m.unique + length, virtual: m.virtual + length };
}

/** Patches per unique row (the group sizes). */
export function groupSizes(m: UnmergeMap): Int32Array {
  const sizes = new Int32Array(m.unique);
  for (const u of m.map) sizes[u]++;
  return sizes;
}

/** The members of each group as virtual positions, ascending (CSR: row u's are positions[offsets[u] … offsets[u + 1])). */
export function groups(m: UnmergeMap): { offsets: Int32Array; positions: Int32Array } {
  const sizes = groupSizes(m);
  const offsets = new Int32Array(m.unique + 1);
  for (let u = 0; u < m.unique; u++) offsets[u + 1] = offsets[u] + sizes[u];
  const fill = offsets.slice(0, m.unique);
  const positions = new Int32Array(m.virtual);
  m.map.forEach((u, n) => (positions[fill[u]++] = n));
  return { offsets, positions };
}

/** 1 / (size of its group) for each virtual position: the weights of the group mean. */
export function meanWeights(m: UnmergeMap): Float32Array {
  const sizes = groupSizes(m);
  return Float32Array.from(m.map, (u) => 1 / sizes[u]);
}

function checkSource(s: { tokens: number; source: Int32Array }, i: number): void {
  const seen = new Uint8Array(s.tokens);
  for (const t of s.source) {
    if (!(t >= 0 && t < s.tokens)) throw new DymuError(`source map points at token ${t}, outside 0…${s.tokens - 1}`, { field: `segments[${i}].source` });
    seen[t] = 1;
  }
  const empty = seen.indexOf(0);
  if (empty >= 0) throw new DymuError(`token ${empty} holds no patch`, { field: `segments[${i}].source` });
}
