"""Golden AnyRes geometry for @dymu/encoders' anyres.ts (LLaVA-OneVision, anyres_max_9 + spatial_unpad).

A transcription of LLaVA-NeXT (github.com/LLaVA-VL/LLaVA-NeXT):
- llava/mm_utils.py: select_best_resolution, resize_and_pad_image (the box only: resized size and
  paste offset), divide_to_patches (the crop boxes only), get_anyres_image_grid_shape (with the
  "(1x1),...,(6x6)" range form of image_grid_pinpoints);
- llava/model/llava_arch.py: unpad_image (on a numpy feature map instead of a torch tensor) and
  prepare_inputs_labels_for_multimodal's anyres_max_N branch (times = sqrt(h*w/(N*unit**2)), the
  bilinear interpolate to [int(h // times), int(w // times)] when times > 1.1, one image_newline per row,
  the base view's unit**2 features first).
Run with Debian's numpy: /usr/bin/python3 tools/golden/anyres_reference.py
"""
import ast
import json
import math
import pathlib
import random
import re

import numpy as np


def parse_pinpoints(grid_pinpoints, patch_size):  # mm_utils.get_anyres_image_grid_shape, first part
    if isinstance(grid_pinpoints, str) and "x" in grid_pinpoints:
        matches = re.findall(r"\((\d+)x(\d+)\)", grid_pinpoints)
        range_start = tuple(map(int, matches[0]))
        range_end = tuple(map(int, matches[-1]))
        grid_pinpoints = [(i, j) for i in range(range_start[0], range_end[0] + 1) for j in range(range_start[1], range_end[1] + 1)]
        grid_pinpoints = [[dim * patch_size for dim in pair] for pair in grid_pinpoints]
    if type(grid_pinpoints) is list:
        return grid_pinpoints
    return ast.literal_eval(grid_pinpoints)


def select_best_resolution(original_size, possible_resolutions):  # mm_utils.select_best_resolution
    original_width, original_height = original_size
    best_fit = None
    max_effective_resolution = 0
    min_wasted_resolution = float("inf")
    for width, height in possible_resolutions:
        scale = min(width / original_width, height / original_height)
        downscaled_width, downscaled_height = int(original_width * scale), int(original_height * scale)
        effective_resolution = min(downscaled_width * downscaled_height, original_width * original_height)
        wasted_resolution = (width * height) - effective_resolution
        if effective_resolution > max_effective_resolution or (effective_resolution == max_effective_resolution and wasted_resolution < min_wasted_resolution):
            max_effective_resolution = effective_resolution
            min_wasted_resolution = wasted_resolution
            best_fit = (width, height)
    return best_fit


def resize_and_pad_box(original_size, target_resolution):  # mm_utils.resize_and_pad_image
    original_width, original_height = original_size
    target_width, target_height = target_resolution
    scale_w = target_width / original_width
    scale_h = target_height / original_height
    if scale_w < scale_h:
        new_width = target_width
        new_height = min(math.ceil(original_height * scale_w), target_height)
    else:
        new_height = target_height
        new_width = min(math.ceil(original_width * scale_h), target_width)
    paste_x = (target_width - new_width) // 2
    paste_y = (target_height - new_height) // 2
    return [new_width, new_height, paste_x, paste_y]


def divide_to_patches(size, patch_size):  # mm_utils.divide_to_patches (the boxes PIL crops)
    width, height = size
    return [[j, i, j + patch_size, i + patch_size] for i in range(0, height, patch_size) for j in range(0, width, patch_size)]


def unpad_image(tensor, original_size):  # llava_arch.unpad_image
    original_width, original_height = original_size
    current_height, current_width = tensor.shape[1:]
    original_aspect_ratio = original_width / original_height
    current_aspect_ratio = current_width / current_height
    if original_aspect_ratio > current_aspect_ratio:
        scale_factor = current_width / original_width
        new_height = int(original_height * scale_factor)
        padding = (current_height - new_height) // 2
        return tensor[:, padding : current_height - padding, :], [padding, current_height - padding, 0, current_width]
    scale_factor = current_height / original_height
    new_width = int(original_width * scale_factor)
    padding = (current_width - new_width) // 2
    return tensor[:, :, padding : current_width - padding], [0, current_height, padding, current_width - padding]


def case(width, height, pinpoints_config, crop_size, unit, max_num_patches):
    possible = parse_pinpoints(pinpoints_config, crop_size)
    best = select_best_resolution((width, height), possible)
    num_patch_width, num_patch_height = best[0] // crop_size, best[1] // crop_size
    # llava_arch: image_feature.view(nph, npw, unit, unit, C).permute(4, 0, 2, 1, 3).flatten(1, 2).flatten(2, 3)
    feature = np.zeros((1, num_patch_height * unit, num_patch_width * unit), dtype=np.float32)
    feature, region = unpad_image(feature, (width, height))
    c, h, w = feature.shape
    kept = [h, w]
    times = math.sqrt(h * w / (max_num_patches * unit**2))
    if times > 1.1:
        h, w = int(h // times), int(w // times)
    return {
        "width": width,
        "height": height,
        "resolution": list(best),
        "pad": resize_and_pad_box((width, height), best),
        "crops": [v for box in divide_to_patches(best, crop_size) for v in box],  # flat: left, top, right, bottom, ...
        "grid": [num_patch_width, num_patch_height],
        "unpadded": region,
        "kept": kept,
        "packed": [h, w],
        "tokens": unit * unit + h * (w + 1),
    }


def sizes(rng, crop_size, pinpoints, count):
    out = {(1, 1), (1, 5000), (5000, 1), (2, 3), (17, 9), (10000, 7000), (7000, 10000), (crop_size, crop_size), (crop_size - 1, crop_size + 1)}
    out |= {(w, h) for w, h in pinpoints}  # exact pinpoint sizes
    out |= {(w + 1, h) for w, h in pinpoints[::3]} | {(w, h - 1) for w, h in pinpoints[1::3]}
    for ratio in [1 / 20, 1 / 9, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1, 4 / 3, 3 / 2, 2, 3, 4, 6, 9, 20]:
        for short in [10, 300, 640, 1500]:
            out.add((max(1, round(short * ratio)), short) if ratio >= 1 else (short, max(1, round(short / ratio))))
    while len(out) < count:
        out.add((rng.randint(1, 7 * crop_size), rng.randint(1, 7 * crop_size)))
    return sorted(out)


def main():
    rng = random.Random(15)
    configs = [
        # lmms-lab/llava-onevision-qwen2-*-ov: SigLIP so400m/14-384 (27 patches a side), anyres_max_9
        {"name": "onevision", "pinpoints": "(1x1),...,(6x6)", "crop_size": 384, "unit": 27, "max_crops": 9, "count": 200},
        # the generated tiny OneVision (packages/weights generate-llm.ts): 64-pixel crops, 8 patches a side
        {"name": "tiny", "pinpoints": [[64, 64], [64, 128], [128, 64], [128, 128], [64, 192], [192, 64], [256, 256]], "crop_size": 64, "unit": 8, "max_crops": 9, "count": 100},
    ]
    out = {"source": "LLaVA-NeXT llava/mm_utils.py + llava/model/llava_arch.py, transcribed (numpy " + np.__version__ + ")", "configs": []}
    for cfg in configs:
        possible = parse_pinpoints(cfg["pinpoints"], cfg["crop_size"])
        cases = [case(w, h, cfg["pinpoints"], cfg["crop_size"], cfg["unit"], cfg["max_crops"]) for w, h in sizes(rng, cfg["crop_size"], possible, cfg["count"])]
        out["configs"].append({**cfg, "parsed": possible, "cases": cases})
    path = pathlib.Path(__file__).resolve().parents[2] / "packages/encoders/test/golden/anyres.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {sum(len(c['cases']) for c in out['configs'])} cases to {path} ({path.stat().st_size} bytes)")


main()
