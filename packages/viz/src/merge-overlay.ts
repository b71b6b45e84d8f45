import sharp from 'sharp';
import type { RgbImage } from '@dymu/encoders';
import { escapeXml } from './svg.ts';

/**
 * The merged groups of one image drawn over what the tower saw: every output token's patches
 * tinted in one colour, borders where neighbouring pixels belong to different tokens, and the
 * token count in the corner. `source[p]` is the output token of patch p (raster order over a
 * `grid × grid` patch grid covering the image). Returns PNG bytes.
 */
export async function renderMergeGroups(image: RgbImage, source: Int32Array, grid: number, label: string, options: { minSide?: number; alpha?: number } = {}): Promise<Buffer> {
  const scale = Math.max(1, Math.ceil((options.minSide ?? 448) / Math.min(image.width, image.height)));
  const alpha = options.alpha ?? 0.45;
  const W = image.width * scale, H = image.height * scale;
  const patchW = image.width / grid, patchH = image.height / grid;
  const tokenAt = (x: number, y: number) => source[Math.min(grid - 1, Math.floor(y / scale / patchH)) * grid + Math.min(grid - 1, Math.floor(x / scale / patchW))];
  const palette = groupColours(source);
  const out = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const token = tokenAt(x, y);
      const border = (x + 1 < W && tokenAt(x + 1, y) !== token) || (y + 1 < H && tokenAt(x, y + 1) !== token);
      const src = 3 * (Math.floor(y / scale) * image.width + Math.floor(x / scale));
      for (let c = 0; c < 3; c++) {
        const tinted = (1 - alpha) * image.data[src + c] + alpha * palette[3 * token + c];
        out[3 * (y * W + x) + c] = border ? 0.35 * tinted : tinted;
      }
    }
  }
  const size = Math.max(14, Math.round(W / 20));
  const text = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect x="4" y="4" width="${Math.round(size * 0.62 * label.length + size)}" height="${Math.round(size * 1.5)}" rx="4" fill="black" fill-opacity="0.65"/>` +
      `<text x="${4 + size / 2}" y="${4 + size * 1.1}" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="white">${escapeXml(label)}</text></svg>`,
  );
  return sharp(out, { raw: { width: W, height: H, channels: 3 } }).composite([{ input: text }]).png().toBuffer();
}

/** One well-separated colour per token (golden-ratio hues), RGB triplets indexed by token. */
function groupColours(source: Int32Array): Uint8Array {
  const tokens = Math.max(...source) + 1;
  const colours = new Uint8Array(3 * tokens);
  for (let t = 0; t < tokens; t++) {
    const [r, g, b] = hsvToRgb((t * 0.618033988749895) % 1, 0.75, 0.95);
    colours.set([r, g, b], 3 * t);
  }
  return colours;
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const rgb = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return rgb.map((c) => Math.round(c * 255)) as [number, number, number];
}
