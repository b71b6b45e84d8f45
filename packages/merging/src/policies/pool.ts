import { DymuError, type MergePolicy } from '@dymu/core';

/**
 * Uniform spatial pooling of a g×g patch grid into n cells: round(√n) bands of (near) equal height,
 * band r split into floor((r+1)·n/R) − floor(r·n/R) cells of (near) equal width, numbered band by
 * band, left to right. Returns the cell of every patch (raster order). A square n gives the
 * regular grid (64 → 16: 2×2 blocks).
 */
export function poolCells(grid: number, cells: number): Int32Array {
  const bands = Math.min(grid, Math.max(1, Math.round(Math.sqrt(cells))));
  const out = new Int32Array(grid * grid);
  for (let y = 0; y < grid; y++) {
    const band = Math.floor((y * bands) / grid);
    const first = Math.floor((band * cells) / bands);
    const width = Math.floor(((band + 1) * cells) / bands) - first;
    for (let x = 0; x < grid; x++) out[y * grid + x] = first + Math.floor((x * width) / grid);
  }
  return out;
}

/**
 * Pools every image, once, to `tokens` patch tokens (class token excluded, and kept first) at block
 * `block`, between its attention and its MLP; the blocks after run on the pooled tokens with
 * proportional attention. Needs the unmerged grid at that block.
 */
export function poolPolicy(tokens: number, block: number): MergePolicy {
  return {
    name: 'pool',
    usesMatching: false,
    plan(state, context) {
      if (context.block !== block) return null;
      const p = context.classToken ? 1 : 0;
      const T = state.tokens;
      const destination = new Int32Array(state.batch * T);
      for (let b = 0; b < state.batch; b++) {
        const patches = state.lengths[b] - p;
        const grid = Math.round(Math.sqrt(patches));
        if (state.lengths[b] !== state.sources[b].length || grid * grid !== patches) {
          throw new DymuError(`block ${block} holds ${patches} tokens, not an unmerged square grid of patches`, { field: 'pool.block' });
        }
        if (tokens > patches) throw new DymuError(`cannot pool ${patches} patches to ${tokens}`, { field: 'pool.tokens' });
        const cells = poolCells(grid, tokens);
        if (p) destination[b * T] = 0;
        cells.forEach((cell, i) => (destination[b * T + p + i] = p + cell));
      }
      return { lengths: new Int32Array(state.batch).fill(p + tokens), destination };
    },
  };
}
