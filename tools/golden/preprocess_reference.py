#!/usr/bin/env python3
"""Golden numbers for packages/encoders/src/preprocess.ts, computed with PIL + numpy.

Reproduces, without the transformers library, what transformers' slow image processors do:
CLIPImageProcessor (convert RGB, resize shortest edge 336 with `get_resize_output_image_size`,
PIL BICUBIC with reducing_gap=None, center_crop 336, rescale 1/255 in float64 -> float32,
normalise in float32) and SiglipImageProcessor (resize straight to 384x384 BICUBIC, mean = std =
0.5), plus LLaVA-1.5's expand2square before CLIP. Per image and case it records the output shape,
per-channel mean and std, and a 4x4 grid of 8x8-patch means per channel. It also records PIL's
exact uint8 output for resizes of a small synthetic image (every filter, up and down), which the
TypeScript port of Pillow's resampler must reproduce bit for bit.

Install: apt-get install python3-pil python3-numpy   (Debian's /usr/bin/python3)
Run from the repository root:
    /usr/bin/python3 tools/golden/preprocess_reference.py
It writes packages/encoders/test/golden/preprocess.json.
"""
import base64
import json
import math
import os

import numpy as np
import PIL
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = ["astronaut.jpg", "coffee.jpg", "chelsea.jpg", "text.jpg"]
CLIP = dict(shortest=336, crop=336, mean=[0.48145466, 0.4578275, 0.40821073],
            std=[0.26862954, 0.26130258, 0.27577711], rescale=0.00392156862745098)
SIGLIP = dict(size=(384, 384), mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5], rescale=0.00392156862745098)


def shortest_edge_size(height, width, size):
    # transformers.image_transforms.get_resize_output_image_size(default_to_square=False)
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size, int(size * long / short)
    return (new_long, new_short) if width <= height else (new_short, new_long)


def center_crop(img, ch, cw):
    # transformers.image_transforms.center_crop on an HWC array (crop not larger than the image here)
    h, w = img.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    assert top >= 0 and left >= 0
    return img[top:top + ch, left:left + cw]


def rescale_normalise(img, rescale, mean, std):
    x = (img.astype(np.float64) * rescale).astype(np.float32)  # transformers.rescale
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)  # normalize
    return x.transpose(2, 0, 1)  # CHW


def expand2square(pil_img, background_color):
    # LLaVA-1.5 (llava/mm_utils.py)
    width, height = pil_img.size
    if width == height:
        return pil_img
    side = max(width, height)
    result = Image.new(pil_img.mode, (side, side), background_color)
    result.paste(pil_img, ((side - width) // 2, (side - height) // 2))
    return result


def clip_preprocess(pil_img, pad=False):
    if pad:
        pil_img = expand2square(pil_img, tuple(int(x * 255) for x in CLIP["mean"]))
    arr = np.array(pil_img)
    h, w = shortest_edge_size(arr.shape[0], arr.shape[1], CLIP["shortest"])
    arr = np.array(Image.fromarray(arr).resize((w, h), resample=Image.BICUBIC, reducing_gap=None))
    arr = center_crop(arr, CLIP["crop"], CLIP["crop"])
    return rescale_normalise(arr, CLIP["rescale"], CLIP["mean"], CLIP["std"]), (h, w)


def siglip_preprocess(pil_img):
    h, w = SIGLIP["size"]
    arr = np.array(pil_img.resize((w, h), resample=Image.BICUBIC, reducing_gap=None))
    return rescale_normalise(arr, SIGLIP["rescale"], SIGLIP["mean"], SIGLIP["std"]), (h, w)


def summary(chw):
    c, h, w = chw.shape
    x = chw.astype(np.float64)
    grid = []
    for ch in range(c):
        rows = []
        for gy in range(4):
            y0 = (2 * gy + 1) * h // 8 - 4
            rows.append([float(x[ch, y0:y0 + 8, (2 * gx + 1) * w // 8 - 4:(2 * gx + 1) * w // 8 + 4].mean())
                         for gx in range(4)])
        grid.append(rows)
    return {"shape": [c, h, w], "mean": [float(v) for v in x.mean(axis=(1, 2))],
            "std": [float(v) for v in x.std(axis=(1, 2))], "grid": grid}


def synthetic(width, height):
    # Same formula as the TypeScript test: busy, with hard edges, so clipping and rounding matter.
    y, x = np.mgrid[0:height, 0:width]
    chans = [(x * 37 + y * 91 + c * 53 + ((x * y) % 17) * 11) % 256 for c in range(3)]
    return np.stack(chans, axis=-1).astype(np.uint8)


def main():
    out = {"generator": "tools/golden/preprocess_reference.py", "pillow": PIL.__version__, "numpy": np.__version__,
           "clip": CLIP, "siglip": SIGLIP, "images": {}, "resize": []}
    for name in IMAGES:
        img = ImageOps.exif_transpose(Image.open(os.path.join(ROOT, "assets", "images", name))).convert("RGB")
        entry = {"size": list(img.size)}
        for case, fn in (("clip", lambda im: clip_preprocess(im)), ("clip-pad", lambda im: clip_preprocess(im, True)),
                         ("siglip", siglip_preprocess)):
            chw, resized = fn(img)
            entry[case] = {"resized": list(resized), **summary(chw)}
        out["images"][name] = entry
    src_w, src_h = 37, 23
    src = synthetic(src_w, src_h)
    for (w, h) in ((50, 31), (16, 9), (37, 40), (11, 23), (80, 7)):
        for resample in (0, 1, 2, 3, 4, 5):
            res = np.array(Image.fromarray(src).resize((w, h), resample=resample, reducing_gap=None))
            out["resize"].append({"from": [src_w, src_h], "to": [w, h], "resample": resample,
                                  "rgb_b64": base64.b64encode(res.tobytes()).decode()})
    path = os.path.join(ROOT, "packages", "encoders", "test", "golden", "preprocess.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
