import { axisFor } from './axis.ts';
import { linearFit } from './complexity.ts';
import { frameSvg, projection } from './frame.ts';
import { r, segment, svgDocument, text } from './svg.ts';

export interface ScatterSpec {
  x: readonly number[];
  y: readonly number[];
  xLabel: string;
  yLabel: string;
  title: string;
  /** Draw the least-squares line. */
  fit?: boolean;
}

/** One scatter plot drawn into a `width` × `height` box at the origin: frame, points, optional regression line. */
function scatterBody(spec: ScatterSpec, width: number, height: number): string {
  const area = { left: 75, right: width - 20, top: 40, bottom: height - 55 };
  const x = axisFor(spec.x), y = axisFor(spec.y);
  const { px, py } = projection(area, x, y);
  const parts = [frameSvg(area, x, y, { x: spec.xLabel, y: spec.yLabel, title: spec.title })];
  for (let i = 0; i < spec.x.length; i++) parts.push(`<circle cx="${r(px(spec.x[i]))}" cy="${r(py(spec.y[i]))}" r="4" fill="#1f77b4" fill-opacity="0.75"/>`);
  if (spec.fit && spec.x.length > 1) {
    const { slope, intercept } = linearFit(spec.x, spec.y);
    const [x0, x1] = x.domain;
    parts.push(segment(px(x0), py(slope * x0 + intercept), px(x1), py(slope * x1 + intercept), '#d62728', 2));
  }
  return parts.join('');
}

/** A scatter plot as SVG: axes with ticks, points, optional regression line, title. */
export function scatterSvg(spec: ScatterSpec, width = 720, height = 480): string {
  return svgDocument(width, height, scatterBody(spec, width, height));
}

/** Several scatter plots as one picture: a grid of `columns` panels of `width` × `height` under a common title. */
export function scatterPanelsSvg(title: string, panels: readonly ScatterSpec[], columns = Math.min(panels.length, 3), width = 520, height = 400): string {
  const head = 40;
  const rows = Math.ceil(panels.length / columns);
  const body = panels.map((panel, i) => `<g transform="translate(${(i % columns) * width} ${head + Math.floor(i / columns) * height})">${scatterBody(panel, width, height)}</g>`);
  return svgDocument(columns * width, head + rows * height, text((columns * width) / 2, 26, title, { anchor: 'middle', size: 17, bold: true }) + body.join(''));
}
