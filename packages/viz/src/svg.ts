import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

/** Text safe inside SVG markup. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The font every picture names; its file ships with the npm package, so PNGs need no system font. */
export const FONT_FAMILY = 'Roboto';
const FONT_FILES = ['400Regular/Roboto_400Regular.ttf', '700Bold/Roboto_700Bold.ttf'].map((f) => createRequire(import.meta.url).resolve(`@expo-google-fonts/roboto/${f}`));

/** An SVG document (its own width and height) as PNG, drawn by resvg with the bundled font only. */
export function svgToPng(svg: string): Buffer {
  const font = { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY };
  return new Resvg(svg, { font, background: 'white' }).render().asPng();
}

/** A standalone SVG document of this size on white around `body`. */
export const svgDocument = (width: number, height: number, body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${body}</svg>`;

/** A text element in the picture's font. */
export function text(x: number, y: number, content: string, options: { anchor?: 'start' | 'middle' | 'end'; size?: number; bold?: boolean; fill?: string; rotate?: boolean } = {}): string {
  const at = options.rotate ? `transform="translate(${r(x)} ${r(y)}) rotate(-90)"` : `x="${r(x)}" y="${r(y)}"`;
  const weight = options.bold ? ' font-weight="bold"' : '';
  return `<text ${at} text-anchor="${options.anchor ?? 'start'}" font-family="${FONT_FAMILY}" font-size="${options.size ?? 12}"${weight} fill="${options.fill ?? 'black'}">${escapeXml(content)}</text>`;
}

/** A straight line; `dash` e.g. "5 3". */
export const segment = (x1: number, y1: number, x2: number, y2: number, stroke = 'black', width = 1, dash?: string): string =>
  `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;

/** A coordinate with one decimal (enough at screen resolution, and short). */
export const r = (v: number): string => String(Math.round(v * 10) / 10);
