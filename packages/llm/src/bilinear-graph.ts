import type { GraphBuilder, Value } from '@dymu/onnx';

/**
 * torch's `interpolate(mode="bilinear", align_corners=False)` on channels-last maps, as LLaVA-NeXT
 * shrinks feature maps (AnyRes's anyres_max_N, video's get_2dPool): `maps` [N, h, w, D] → [N, h', w', D]
 * with `sizes` = [N, D, h', w'] (ONNX Resize, linear, `pytorch_half_pixel`; the identity when h' = h, w' = w).
 */
export function bilinearResize(g: GraphBuilder, maps: Value, sizes: Value): Value {
  const channelsFirst = g.op1('Transpose', [maps], { perm: [0, 3, 1, 2] });
  const resized = g.op1('Resize', [channelsFirst, null, null, sizes], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' });
  return g.op1('Transpose', [resized], { perm: [0, 2, 3, 1] });
}
