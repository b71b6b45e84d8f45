import { describe, expect, it } from 'vitest';
import { blockCost, encoderCost } from '../src/index.ts';

describe('ViT cost formula', () => {
  it('gives about 0.19 T multiply-adds for an unmerged CLIP ViT-L/14-336 (577 tokens, 24 blocks)', () => {
    // per block: 4·577·1024² + 2·577²·1024 + 2·577·1024·4096 = 2 420 113 408 + 681 838 592 + 4 840 226 816
    expect(blockCost(577, 577, 1024, 4096)).toBe(7_942_178_816);
    expect(encoderCost(577, new Array(24).fill(577), 1024, 4096)).toBe(24 * 7_942_178_816);
  });

  it('charges a merging block its attention on the old count and its MLP on the new one', () => {
    // block 0: 10 → 6 tokens, block 1: 6 → 4 (D = 2, D_mlp = 8)
    const expected = (4 * 10 * 4 + 2 * 100 * 2 + 2 * 6 * 2 * 8) + (4 * 6 * 4 + 2 * 36 * 2 + 2 * 4 * 2 * 8);
    expect(encoderCost(10, [6, 4], 2, 8)).toBe(expected);
  });
});
