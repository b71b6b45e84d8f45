import sharp from 'sharp';
import { linearFit } from './complexity.ts';
import { escapeXml } from './svg.ts';

export interface ScatterSpec {
  x: readonly number[];
  y: readonly number[];
  xLabel: string;
  yLabel: string;
  title: string;
  /** Draw the least-squares line. */
  fit?: boolean;
}

/** A scatter plot as SVG: axes with ticks, points, optional regression line, title. */
export function scatterSvg(spec: ScatterSpec, width = 720, height = 480): string {
  const m = { left: 70, right: 20, top: 40, bottom: 55 };
  const [x0, x1] = paddedRange(spec.x), [y0, y1] = paddedRange(spec.y);
  const px = (v: number) => m.left + ((v - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (v: number) => height - m.bottom - ((v - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts = [`<rect width="${width}" height="${height}" fill="white"/>`];
  for (const v of ticks(x0, x1)) parts.push(line(px(v), height - m.bottom, px(v), height - m.bottom + 5), label(px(v), height - m.bottom + 20, fmt(v), 'middle'));
  for (const v of ticks(y0, y1)) parts.push(line(m.left - 5, py(v), m.left, py(v)), label(m.left - 8, py(v) + 4, fmt(v), 'end'));
  parts.push(line(m.left, m.top, m.left, height - m.bottom), line(m.left, height - m.bottom, width - m.right, height - m.bottom));
  for (let i = 0; i < spec.x.length; i++) parts.push(`<circle cx="${px(spec.x[i]).toFixed(1)}" cy="${py(spec.y[i]).toFixed(1)}" r="4" fill="#1f77b4" fill-opacity="0.75"/>`);
  if (spec.fit && spec.x.length > 1) {
    const { slope, intercept } = linearFit(spec.x, spec.y);
    parts.push(`<line x1="${px(x0)}" y1="${py(slope * x0 + intercept)}" x2="${px(x1)}" y2="${py(slope * x1 + intercept)}" stroke="#d62728" stroke-width="2"/>`);
  }
  parts.push(label(width / 2, height - 12, spec.xLabel, 'middle'), `<text transform="translate(18 ${height / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(spec.yLabel)}</text>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" ${FONT} font-size="15">${escapeXml(spec.title)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export async function scatterPng(spec: ScatterSpec): Promise<Buffer> {
  return sharp(Buffer.from(scatterSvg(spec))).png().toBuffer();
}

const FONT = 'font-family="DejaVu Sans, sans-serif" fill="black"';
const line = (x1: number, y1: number, x2: number, y2: number) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="black"/>`;
const label = (x: number, y: number, text: string, anchor: string) => `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="12" ${FONT}>${escapeXml(text)}</text>`;
const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(2));

function paddedRange(values: readonly number[]): [number, number] {
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.abs(lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/** About five round tick values inside [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
