/**
 * torch's interpolate(mode="bilinear", align_corners=False) written out in float64: an h × w map of
 * D-vectors (`map[y][x]`) resized to outH × outW, rows in raster order. Source coordinate
 * (o + ½)·in/out − ½, below 0 taken as 0, the two neighbours floor and floor + 1 (clamped to the
 * last row / column).
 */
export function naiveBilinear(map: readonly (readonly (readonly number[])[])[], outH: number, outW: number): number[][] {
  const taps = (out: number, size: number) => Array.from({ length: out }, (_, o) => {
    const src = Math.max(0, ((o + 0.5) * size) / out - 0.5);
    const i0 = Math.floor(src);
    return { i0, i1: Math.min(i0 + 1, size - 1), l: src - i0 };
  });
  const rows = taps(outH, map.length);
  const cols = taps(outW, map[0].length);
  return rows.flatMap((r) => cols.map((c) => map[r.i0][c.i0].map((_, d) =>
    (1 - r.l) * ((1 - c.l) * map[r.i0][c.i0][d] + c.l * map[r.i0][c.i1][d]) + r.l * ((1 - c.l) * map[r.i1][c.i0][d] + c.l * map[r.i1][c.i1][d]))));
}
