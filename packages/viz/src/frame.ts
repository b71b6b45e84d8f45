import { scale, type Axis } from './axis.ts';
import { segment, text } from './svg.ts';

/** Where a plot's data area lies in its picture. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** Pixel positions of data values inside a plot area. */
export function projection(area: PlotArea, x: Axis, y: Axis): { px: (v: number) => number; py: (v: number) => number } {
  return { px: scale(x, area.left, area.right), py: scale(y, area.bottom, area.top) };
}

/**
 * The frame of a plot: light grid lines at the ticks, the two axes with tick marks and labels, the
 * axis titles under the x axis and along the y axis, the title above.
 */
export function frameSvg(area: PlotArea, x: Axis, y: Axis, labels: { readonly x: string; readonly y: string; readonly title: string }): string {
  const { px, py } = projection(area, x, y);
  const parts: string[] = [];
  x.ticks.forEach((t, i) => parts.push(segment(px(t), area.top, px(t), area.bottom, '#e6e6e6'), segment(px(t), area.bottom, px(t), area.bottom + 5), text(px(t), area.bottom + 19, x.labels[i], { anchor: 'middle' })));
  y.ticks.forEach((t, i) => parts.push(segment(area.left, py(t), area.right, py(t), '#e6e6e6'), segment(area.left - 5, py(t), area.left, py(t)), text(area.left - 8, py(t) + 4, y.labels[i], { anchor: 'end' })));
  parts.push(segment(area.left, area.top, area.left, area.bottom), segment(area.left, area.bottom, area.right, area.bottom));
  parts.push(text((area.left + area.right) / 2, area.bottom + 40, labels.x, { anchor: 'middle', size: 13 }));
  parts.push(text(area.left - 48, (area.top + area.bottom) / 2, labels.y, { anchor: 'middle', size: 13, rotate: true }));
  parts.push(text((area.left + area.right) / 2, area.top - 14, labels.title, { anchor: 'middle', size: 15, bold: true }));
  return parts.join('');
}
