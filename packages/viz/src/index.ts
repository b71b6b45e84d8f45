export { jpegBytesPerPixel, edgeDensity, pearson, linearFit } from './complexity.ts';
export { renderMergeGroups } from './merge-overlay.ts';
export { scatterSvg, scatterPng, type ScatterSpec } from './scatter.ts';
