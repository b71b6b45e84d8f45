// An independent float64 reference of one calibration batch (DYMU.md §3, with the official layout
// of §3b or the compact one of §2), written out naively from the design notes over per-image lists
// of rows (no code shared with the encoder or @dymu/merging): τ_batch of every block.
import type { VitConfig, WeightStore } from '@dymu/weights';
import { naiveAttention, naiveEmbed, naiveLinks, naiveMlp, type Rows } from './naive-vit.ts';

interface Image {
  x: Rows;
  sizes: number[];
}

/** τ_batch per block (null where r_i = 0) of one batch of images (`pixels[b]` each [C, S, S]). */
export function naiveCalibrationBatch(store: WeightStore, c: VitConfig, pixels: Float32Array[], r: readonly number[], layout: 'official' | 'compact'): (number | null)[] {
  const cls = c.classToken;
  const protectedTokens = cls ? 1 : 0;
  let images: Image[] = pixels.map((p) => {
    const x = naiveEmbed(store, c, p);
    return { x, sizes: x.map(() => 1) };
  });
  const taus: (number | null)[] = [];
  for (let block = 0; block < c.numLayers; block++) {
    const attended = images.map(({ x, sizes }) => naiveAttention(store, c, block, x, sizes));
    const links = attended.map(({ metric }) => naiveLinks(metric, cls));
    let hidden = attended.map(({ hid }) => hid);
    const lengths = hidden.map((h) => h.length);
    const T = Math.max(...lengths);
    const ri = layout === 'official' ? Math.min(r[block], Math.floor((T - protectedTokens) / 2)) : r[block];
    if (ri <= 0) {
      taus.push(null);
    } else {
      const R = images.length * ri;
      // The ranked list: every image's links (b, a, score); official also its −∞ rows up to ceil(T/2) per image.
      const entries: { b: number; a: number; score: number }[] = [];
      links.forEach(({ best }, b) => {
        const rows = layout === 'official' ? Math.ceil(T / 2) : best.length;
        for (let a = 0; a < rows; a++) {
          const score = a < best.length ? best[a] : -Infinity;
          if (layout === 'official' || score !== -Infinity) entries.push({ b, a, score });
        }
      });
      entries.sort((x, y) => (y.score === x.score ? 0 : y.score > x.score ? 1 : -1) || x.b - y.b || x.a - y.a);
      const at = entries[Math.min(R, entries.length - 1)];
      taus.push(at === undefined || at.score === -Infinity ? 0 : Math.max(0, at.score));
      const merging = entries.slice(0, R).filter((e) => e.score !== -Infinity);
      hidden = hidden.map((hid, b) => {
        const t = hid.length;
        const mine = merging.filter((e) => e.b === b).map((e) => e.a);
        const k = layout === 'official' ? mine.length : Math.min(mine.length, Math.floor((t - protectedTokens) / 2));
        if (layout === 'compact' && k === 0) return hid; // an image that merges nothing keeps its order
        const merged = new Set(mine.slice(0, k)); // the image's k best links (the ranking keeps its order within an image)
        const A = [...links[b].best.keys()];
        let unmerged = A.filter((a) => !merged.has(a)); // position order
        if (layout === 'compact' && !cls) unmerged = unmerged.sort((x, y) => links[b].best[y] - links[b].best[x] || x - y);
        const B = [...Array(Math.floor(t / 2)).keys()];
        const index = new Array<number>(t);
        unmerged.forEach((a, u) => (index[2 * a] = u));
        B.forEach((j) => (index[2 * j + 1] = unmerged.length + j));
        merged.forEach((a) => (index[2 * a] = unmerged.length + links[b].dst[a]));
        const total = unmerged.length + B.length;
        const sums: Rows = Array.from({ length: total }, () => new Array<number>(c.hiddenSize).fill(0));
        const sizes = new Array<number>(total).fill(0);
        for (let i = 0; i < t; i++) {
          sizes[index[i]] += images[b].sizes[i];
          for (let d = 0; d < c.hiddenSize; d++) sums[index[i]][d] += images[b].sizes[i] * hid[i][d];
        }
        images[b].sizes = sizes;
        const offset = layout === 'official' ? 1e-4 : 0; // the authors' `sum / (size + 1e-4)`
        return sums.map((row, j) => row.map((v) => v / (sizes[j] + offset)));
      });
    }
    images = images.map((image, b) => ({ x: naiveMlp(store, c, block, hidden[b]), sizes: image.sizes }));
  }
  return taus;
}
