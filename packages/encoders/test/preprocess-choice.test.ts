import { describe, expect, it } from 'vitest';
import { defaultPreprocessorConfig, type VitConfig } from '@dymu/weights';
import { DEFAULT_PREPROCESS, describePreprocessing, padMode, vlmPreprocess } from '../src/preprocess-choice.ts';

describe('the preprocessing choice', () => {
  it("takes a VLM's own from its image_aspect_ratio, and pads to square for a bare tower", () => {
    expect([vlmPreprocess('pad'), vlmPreprocess('square'), vlmPreprocess('anyres_max_9'), vlmPreprocess('anyres')]).toEqual(['pad', 'resize', 'anyres', 'anyres']);
    expect(DEFAULT_PREPROCESS).toBe('pad');
    expect([padMode('pad'), padMode('resize'), padMode('anyres')]).toEqual(['pad-to-square', 'none', 'none']);
  });

  it('names every step in one line', () => {
    const clip = defaultPreprocessorConfig({ arch: 'clip', imageSize: 336 } as VitConfig);
    const siglip = defaultPreprocessorConfig({ arch: 'siglip', imageSize: 384 } as VitConfig);
    expect(describePreprocessing('pad', clip)).toBe("preprocessing: pad to square (mean colour), resize shortest edge 336, center crop 336×336 (the processor's defaults)");
    expect(describePreprocessing('resize', siglip)).toBe("preprocessing: no padding, resize 384×384 (the processor's defaults)");
    expect(describePreprocessing('anyres', { ...siglip, source: '/m/preprocessor_config.json' })).toBe('preprocessing: AnyRes (base view and crops), resize 384×384 (/m/preprocessor_config.json)');
    expect(describePreprocessing('anyres', siglip, true)).toMatch(/^preprocessing: AnyRes base view only \(the crops need the VLM\): no padding, resize 384×384/);
  });
});
