import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { Progress } from '@dymu/core';
import { LLAVA_FEATURES, modelView, VitEncoder } from '@dymu/encoders';
import { readImageSource } from '@dymu/merging';
import { edgeDensity, jpegBytesPerPixel, pearson, scatterPanelsSvg, svgToPng } from '@dymu/viz';
import { readVitConfig } from '@dymu/weights';
import { policyFromArgs } from '../policy-from-args.ts';
import { preprocessFromArgs } from '../preprocess-from-args.ts';
import type { Args } from '../commands/analyze.ts';

export async function analyzeComplexity(args: Args): Promise<void> {
  const config = readVitConfig(args.model);
  const encoder = await VitEncoder.load(args.model, { features: LLAVA_FEATURES });
  const policy = await policyFromArgs(args, args.model, config);
  const pad = preprocessFromArgs(args, encoder.preprocessing);
  const source = readImageSource(args.images);
  const rows = { image: [] as string[], tokens: [] as number[], tokensWithoutClass: [] as number[], jpegBytesPerPixel: [] as number[], edgeDensity: [] as number[] };
  const progress = new Progress('analyze', source.names.length, 'images');
  for (let i = 0; i < source.names.length; i += args.batch) {
    const names = source.names.slice(i, i + args.batch);
    const paths = names.map(source.path);
    const encoded = await encoder.encode(paths, { policy, pad });
    for (const [j, e] of encoded.entries()) {
      rows.image.push(names[j]);
      rows.tokens.push(e.countWithClassToken);
      rows.tokensWithoutClass.push(e.count);
      rows.jpegBytesPerPixel.push(await jpegBytesPerPixel(paths[j]));
      rows.edgeDensity.push(edgeDensity((await modelView(paths[j], encoder.preprocessing, { pad })).image));
    }
    progress.tick(names.length);
  }
  progress.finish();
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'complexity.arrow'), tableToIPC(tableFromArrays({ ...rows, tokens: Int32Array.from(rows.tokens), tokensWithoutClass: Int32Array.from(rows.tokensWithoutClass), jpegBytesPerPixel: Float64Array.from(rows.jpegBytesPerPixel), edgeDensity: Float64Array.from(rows.edgeDensity) }), 'file'));
  const measures = [['jpegBytesPerPixel', 'JPEG (quality 50) bytes per pixel'], ['edgeDensity', 'edge density (share of Sobel edges)']] as const;
  const panels = measures.map(([measure, label]) => {
    const r = pearson(rows[measure], rows.tokens);
    console.log(`tokens vs ${measure}: Pearson r = ${r.toFixed(3)}`);
    return { x: rows[measure], y: rows.tokens, xLabel: label, yLabel: 'visual tokens (class token included)', title: `Pearson r = ${r.toFixed(3)}, n = ${rows.tokens.length}`, fit: true };
  });
  const svg = scatterPanelsSvg(`${policy.name}: visual tokens vs image complexity`, panels);
  for (const [ext, data] of [['svg', svg], ['png', svgToPng(svg)]] as const) writeFileSync(join(args.out, `tokens-vs-complexity.${ext}`), data);
  console.log(`${join(args.out, 'tokens-vs-complexity.svg')} and .png: the two panels`);
  console.log(`${join(args.out, 'complexity.arrow')}: ${rows.tokens.length} rows (image, tokens, tokensWithoutClass, jpegBytesPerPixel, edgeDensity)`);
}
