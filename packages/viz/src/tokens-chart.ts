import { DymuError } from '@dymu/core';
import { axisFor, type Axis } from './axis.ts';
import { frameSvg, projection, type PlotArea } from './frame.ts';
import { escapeXml, r, segment, svgDocument, text } from './svg.ts';

/** One measured configuration: visual tokens against a metric, each with its spread (±1 std; null or absent: none). */
export interface ChartPoint {
  readonly tokens: number;
  readonly tokensStd?: number | null;
  readonly value: number;
  readonly valueStd?: number | null;
  /** Written beside the point (e.g. the schedule level: low / mid / high); the full model's legend entry names it instead. */
  readonly label?: string;
}

/** A method: a line through our points, the paper's points beside them (dashed, hollow); `full`: the unreduced model, drawn as a marker with a dotted level line. */
export interface ChartMethod {
  readonly name: string;
  readonly ours: readonly ChartPoint[];
  readonly paper?: readonly ChartPoint[];
  readonly full?: boolean;
}

export interface TokensChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** A line under the plot, e.g. what the bars are. */
  readonly note?: string;
  readonly methods: readonly ChartMethod[];
}

/** Where everything goes: the axes, and the methods in drawing order with their colours and points sorted by tokens. */
export interface TokensChartLayout {
  readonly width: number;
  readonly height: number;
  readonly area: PlotArea;
  readonly x: Axis;
  readonly y: Axis;
  readonly methods: readonly { readonly name: string; readonly colour: string; readonly full: boolean; readonly ours: readonly ChartPoint[]; readonly paper: readonly ChartPoint[] }[];
}

/** Tableau's ten colours: distinct, and readable on white. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FULL_COLOUR = '#333333';
const LEGEND_WIDTH = 200;

/** The extent of the points' bars: value ± std for each point. */
const extent = (points: readonly ChartPoint[], value: (p: ChartPoint) => number, std: (p: ChartPoint) => number | null | undefined): number[] =>
  points.flatMap((p) => [value(p) - (std(p) ?? 0), value(p) + (std(p) ?? 0)]);

/**
 * The chart's layout: axes over every point with its bars (ours and the paper's), the full models
 * first (dark grey), then the other methods in their order, each with the next colour; points of a
 * method sorted by tokens, so its line runs left to right.
 */
export function tokensChartLayout(spec: TokensChartSpec, width = 900, height = 540): TokensChartLayout {
  const all = spec.methods.flatMap((m) => [...m.ours, ...(m.paper ?? [])]);
  if (all.length === 0) throw new DymuError(`${spec.title}: no points to plot`);
  const byTokens = (points: readonly ChartPoint[] = []) => [...points].sort((a, b) => a.tokens - b.tokens);
  let next = 0;
  const methods = [...spec.methods.filter((m) => m.full), ...spec.methods.filter((m) => !m.full)].map((m) => ({
    name: m.name,
    colour: m.full ? FULL_COLOUR : PALETTE[next++ % PALETTE.length],
    full: m.full === true,
    ours: byTokens(m.ours),
    paper: byTokens(m.paper),
  }));
  return {
    width,
    height,
    area: { left: 80, top: 50, right: width - LEGEND_WIDTH - 20, bottom: height - (spec.note ? 80 : 60) },
    x: axisFor(extent(all, (p) => p.tokens, (p) => p.tokensStd)),
    y: axisFor(extent(all, (p) => p.value, (p) => p.valueStd)),
    methods,
  };
}

/** Visual tokens against a metric, one line per method, as SVG. */
export function tokensChartSvg(spec: TokensChartSpec, width?: number, height?: number): string {
  const layout = tokensChartLayout(spec, width, height);
  const { area } = layout;
  const { px, py } = projection(area, layout.x, layout.y);
  const parts = [frameSvg(area, layout.x, layout.y, { x: spec.xLabel, y: spec.yLabel, title: spec.title })];
  if (spec.note) parts.push(text((area.left + area.right) / 2, layout.height - 14, spec.note, { anchor: 'middle', size: 11, fill: '#555555' }));
  const legend: string[] = [];
  const legendRow = (colour: string, label: string, paper: boolean, marker: 'circle' | 'diamond') => {
    const y = area.top + 10 + 22 * legend.length;
    const x = area.right + 24;
    legend.push(`${marker === 'diamond' ? '' : segment(x, y, x + 30, y, colour, 2, paper ? '6 4' : undefined)}${shape(marker, x + 15, y, colour, paper)}${text(x + 40, y + 4, label, { size: 12 })}`);
  };
  for (const m of layout.methods) {
    const marker = m.full ? 'diamond' : 'circle';
    // the paper's first, so ours is drawn over it; each method and source in a group that names them
    for (const [points, paper] of [[m.paper, true], [m.ours, false]] as const) {
      if (points.length === 0) continue;
      const group: string[] = [];
      if (m.full) {
        // the full model's level across the plot, to read every method's loss against
        group.push(segment(area.left, py(points[0].value), area.right, py(points[0].value), m.colour, 1, paper ? '6 4' : '2 3'));
      } else if (points.length > 1) {
        group.push(`<polyline points="${points.map((p) => `${r(px(p.tokens))},${r(py(p.value))}`).join(' ')}" fill="none" stroke="${m.colour}" stroke-width="2"${paper ? ' stroke-dasharray="6 4"' : ''}/>`);
      }
      for (const p of points) {
        group.push(bars(p, px, py, m.colour), shape(marker, px(p.tokens), py(p.value), m.colour, paper));
        if (!paper && !m.full && p.label) group.push(text(px(p.tokens) + 7, py(p.value) - 7, p.label, { size: 11, fill: m.colour }));
      }
      parts.push(`<g data-method="${escapeXml(m.name)}" data-source="${paper ? 'paper' : 'ours'}">${group.join('')}</g>`);
    }
    if (m.ours.length > 0) legendRow(m.colour, m.name, false, marker);
    if (m.paper.length > 0) legendRow(m.colour, `${m.name} (paper)`, true, marker);
  }
  return svgDocument(layout.width, layout.height, parts.join('') + legend.join(''));
}

/** ±1 std bars with end caps, horizontal (tokens) and vertical (value), where the point has them. */
function bars(p: ChartPoint, px: (v: number) => number, py: (v: number) => number, colour: string): string {
  const out: string[] = [];
  const x = px(p.tokens), y = py(p.value);
  if (p.tokensStd) out.push(segment(px(p.tokens - p.tokensStd), y, px(p.tokens + p.tokensStd), y, colour), ...[-1, 1].map((s) => segment(px(p.tokens + s * p.tokensStd!), y - 3, px(p.tokens + s * p.tokensStd!), y + 3, colour)));
  if (p.valueStd) out.push(segment(x, py(p.value - p.valueStd), x, py(p.value + p.valueStd), colour), ...[-1, 1].map((s) => segment(x - 3, py(p.value + s * p.valueStd!), x + 3, py(p.value + s * p.valueStd!), colour)));
  return out.join('');
}

/** A point's marker: filled for ours, hollow (white inside) for the paper's. */
function shape(kind: 'circle' | 'diamond', x: number, y: number, colour: string, hollow: boolean): string {
  const paint = `fill="${hollow ? 'white' : colour}" stroke="${colour}" stroke-width="2"`;
  return kind === 'circle' ? `<circle cx="${r(x)}" cy="${r(y)}" r="4.5" ${paint}/>` : `<polygon points="${r(x)},${r(y - 7)} ${r(x + 7)},${r(y)} ${r(x)},${r(y + 7)} ${r(x - 7)},${r(y)}" ${paint}/>`;
}
