import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { axisFor, PALETTE, scatterPanelsSvg, svgToPng, tickStep, tokensChartLayout, tokensChartSvg, type TokensChartSpec } from '../src/index.ts';

const spec: TokensChartSpec = {
  title: 'Avg <vs> tokens',
  xLabel: 'visual tokens (mean per image)',
  yLabel: 'Avg (%)',
  note: 'bars: ±1 std',
  methods: [
    { name: 'ToMe', ours: [{ tokens: 393, value: 62.3, label: '393' }, { tokens: 94, value: 57.1, valueStd: 0.4, label: '94' }], paper: [{ tokens: 94, value: 56.8 }, { tokens: 393, value: 62 }] },
    { name: 'DyMU', ours: [{ tokens: 195, tokensStd: 47, value: 63, label: 'mid' }, { tokens: 89, tokensStd: 27, value: 61.5, label: 'low' }] },
    { name: 'LLaVA-1.5-7B', full: true, ours: [{ tokens: 577, value: 64, label: 'LLaVA-1.5-7B' }], paper: [{ tokens: 576, value: 63.8 }] },
  ],
};

describe('axes', () => {
  it('pick steps of 1, 2 or 5 × 10^k and label ticks with the decimals the step needs', () => {
    expect(tickStep(0, 7.3)).toBe(2);
    expect(tickStep(0, 100)).toBe(20);
    expect(tickStep(61.1, 64.2)).toBe(0.5); // 3.1 / 5 = 0.62: nearer 0.5 than 1
    expect(tickStep(0, 577)).toBe(100);
    // [0, 100] padded by 6 % each side: [-6, 106], step 20
    expect(axisFor([0, 100])).toEqual({ domain: [-6, 106], ticks: [0, 20, 40, 60, 80, 100], labels: ['0', '20', '40', '60', '80', '100'] });
    expect(axisFor([0.1, 0.9]).labels).toEqual(['0.2', '0.4', '0.6', '0.8']);
    expect(axisFor([61.3, 64]).labels).toEqual(['61.5', '62.0', '62.5', '63.0', '63.5', '64.0']);
    // one value: widened by 10 % of it
    expect(axisFor([50]).domain).toEqual([45, 55]);
  });
});

describe('the tokens chart', () => {
  it('lays out the full model first, the other methods in their order with the palette, points sorted by tokens', () => {
    const layout = tokensChartLayout(spec);
    expect(layout.methods.map((m) => [m.name, m.colour, m.full])).toEqual([['LLaVA-1.5-7B', '#333333', true], ['ToMe', PALETTE[0], false], ['DyMU', PALETTE[1], false]]);
    expect(layout.methods[1].ours.map((p) => p.tokens)).toEqual([94, 393]);
    expect(layout.methods[2].paper).toEqual([]);
    // the x axis covers DyMU-low's bar (89 − 27 = 62) to the full model (577): span 515, padded by 30.9
    expect(layout.x.domain[0]).toBeCloseTo(62 - 0.06 * 515, 9);
    expect(layout.x.domain[1]).toBeCloseTo(577 + 0.06 * 515, 9);
    expect(layout.x.ticks).toEqual([100, 200, 300, 400, 500, 600]);
    // the y axis from ToMe's lowest bar (57.1 − 0.4) and the paper's 56.8 to 64
    expect(layout.y.domain[0]).toBeCloseTo(56.7 - 0.06 * 7.3, 9);
    expect(layout.area.right).toBeLessThan(layout.width - 150); // room for the legend
  });

  it('draws one line per method and source, the paper hollow and dashed, the legend naming both', () => {
    const svg = tokensChartSvg(spec);
    const groups = [...svg.matchAll(/<g data-method="([^"]+)" data-source="(\w+)">(.*?)<\/g>/g)].map((m) => ({ method: m[1], source: m[2], body: m[3] }));
    expect(groups.map((g) => `${g.method}/${g.source}`)).toEqual(['LLaVA-1.5-7B/paper', 'LLaVA-1.5-7B/ours', 'ToMe/paper', 'ToMe/ours', 'DyMU/ours']);
    const tome = groups.filter((g) => g.method === 'ToMe');
    for (const g of tome) expect(g.body.match(/<polyline/g)).toHaveLength(1);
    expect(tome[0].body).toContain('stroke-dasharray="6 4"');
    expect(tome[0].body.match(/<circle[^>]*fill="white"/g)).toHaveLength(2);
    expect(tome[1].body.match(/<circle[^>]*fill="#1f77b4"/g)).toHaveLength(2);
    // DyMU's tokens bars: a horizontal bar and two caps per point
    expect(groups[4].body.match(/<line/g)).toHaveLength(2 * 3);
    expect(groups[0].body).toMatch(/<polygon/); // the full model: a diamond
    expect(groups[1].body).not.toContain('<text'); // named by the legend, not beside the marker
    for (const label of ['>ToMe<', '>ToMe (paper)<', '>LLaVA-1.5-7B (paper)<', 'Avg &#60;vs&#62; tokens', '>mid<']) expect(svg).toContain(label);
    expect(svg).not.toContain('>DyMU (paper)<');
  });

  it('says so when there is nothing to plot', () => {
    expect(() => tokensChartLayout({ ...spec, methods: [{ name: 'x', ours: [] }] })).toThrow(/no points to plot/);
  });

  it('renders a PNG of the chart with its colours and its text, without system fonts', async () => {
    const { data, info } = await sharp(svgToPng(tokensChartSvg(spec))).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([900, 540]);
    const count = (test: (r: number, g: number, b: number) => boolean, y0 = 0, y1 = info.height) => {
      let n = 0;
      for (let i = y0 * info.width; i < y1 * info.width; i++) if (test(data[i * info.channels], data[i * info.channels + 1], data[i * info.channels + 2])) n++;
      return n;
    };
    expect(count((r, g, b) => r === 255 && g === 255 && b === 255)).toBeGreaterThan(0.8 * info.width * info.height); // a white background
    expect(count((r, g, b) => Math.abs(r - 0x1f) < 8 && Math.abs(g - 0x77) < 8 && Math.abs(b - 0xb4) < 8)).toBeGreaterThan(200); // ToMe's blue lines and points
    expect(count((r, g, b) => Math.abs(r - 0xff) < 8 && Math.abs(g - 0x7f) < 8 && Math.abs(b - 0x0e) < 8)).toBeGreaterThan(100); // DyMU's orange
    expect(count((r, g, b) => r + g + b < 200, 20, 45)).toBeGreaterThan(100); // the title's glyphs in the top band
  });

  it('puts scatter panels side by side under one title', async () => {
    const panel = (title: string) => ({ x: [1, 2, 3], y: [3, 1, 2], xLabel: 'x', yLabel: 'y', title, fit: true });
    const svg = scatterPanelsSvg('all', [panel('a'), panel('b'), panel('c'), panel('d')], 2, 300, 200);
    expect(svg).toMatch(/^<svg [^>]*width="600" height="440"/);
    expect(svg.match(/<circle/g)).toHaveLength(12);
    expect(svg).toContain('translate(300 240)');
    expect((await sharp(svgToPng(svg)).metadata())).toMatchObject({ width: 600, height: 440 });
  });
});
