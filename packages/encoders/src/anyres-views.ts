import { type AnyresLayout, anyresLayout, type AnyresSpec } from './anyres.ts';
import { resizePil } from './pil-resize.ts';
import { cropRegion, decodeRgb, normalise, pasteOnCanvas, type PreprocessSpec, resizeAndCrop } from './preprocess.ts';

/** `PIL.Image.resize`'s default filter (BICUBIC), which mm_utils.resize_and_pad_image and the base view's resize use. */
const PIL_DEFAULT_RESAMPLE = 3;
/** resize_and_pad_image's canvas: `Image.new("RGB", target, (0, 0, 0))`. */
const PAD_COLOUR = [0, 0, 0] as const;

/** One image as LLaVA-OneVision's AnyRes hands it to the tower: the base view, then the crops in raster order. */
export interface AnyresViews {
  /** [1 + crops, 3, S, S], normalised as the tower's processor does. */
  pixels: Float32Array;
  views: number;
  layout: AnyresLayout;
  /** The decoded image's size (EXIF orientation applied). */
  original: { width: number; height: number };
}

/**
 * mm_utils.process_anyres_image: the best pinpoint for the image, the image resized (PIL bicubic)
 * and pasted centred on a black canvas of that size, cut into `cropSize`² crops; the whole image
 * resized to `cropSize`² as the base view in front; every view through the tower's processor
 * (`spec`: its resize, a no-op at `cropSize`, then rescale and normalise).
 */
export async function anyresViews(input: string | Buffer, spec: PreprocessSpec, anyres: AnyresSpec): Promise<AnyresViews> {
  const image = await decodeRgb(input);
  const layout = anyresLayout(image.width, image.height, anyres);
  const { pad, resolution: [width, height] } = layout;
  const canvas = pasteOnCanvas(resizePil(image, pad.width, pad.height, PIL_DEFAULT_RESAMPLE), width, height, pad.left, pad.top, PAD_COLOUR);
  const S = anyres.cropSize;
  const views = [resizePil(image, S, S, PIL_DEFAULT_RESAMPLE), ...layout.crops.map(([left, top]) => cropRegion(canvas, top, left, S, S))];
  const normalised = await Promise.all(views.map(async (view) => normalise(await resizeAndCrop(view, spec), spec)));
  const per = normalised[0].length;
  const pixels = new Float32Array(views.length * per);
  normalised.forEach((p, i) => pixels.set(p, i * per));
  return { pixels, views: views.length, layout, original: { width: image.width, height: image.height } };
}
