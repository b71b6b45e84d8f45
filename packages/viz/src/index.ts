export { jpegBytesPerPixel, edgeDensity, pearson, linearFit } from './complexity.ts';
export { renderMergeGroups } from './merge-overlay.ts';
export { scatterSvg, scatterPanelsSvg, type ScatterSpec } from './scatter.ts';
export { axisFor, tickStep, type Axis } from './axis.ts';
export { svgToPng } from './svg.ts';
export { tokensChartLayout, tokensChartSvg, PALETTE, type ChartPoint, type ChartMethod, type TokensChartSpec, type TokensChartLayout } from './tokens-chart.ts';
