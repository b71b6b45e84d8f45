"""Golden frame indices for @dymu/encoders' uniformFrameIndices (video.ts).

LLaVA-OneVision's evaluation (lmms-eval, llava_onevision.py, load_video) samples
`np.linspace(0, total_frame_num - 1, max_frames_num, dtype=int)`. This script writes that for a
range of (total, count) pairs. Run with Debian's numpy: /usr/bin/python3 tools/golden/video_frame_indices.py
"""
import json
import pathlib

import numpy as np

cases = []
for total in [1, 2, 3, 7, 8, 31, 32, 33, 97, 100, 241, 1000, 1799, 3601, 54321]:
    for count in [1, 2, 3, 8, 16, 32, 64]:
        idx = np.linspace(0, total - 1, count, dtype=int).tolist()
        cases.append({"total": total, "count": count, "indices": idx})

out = pathlib.Path(__file__).resolve().parents[2] / "packages/encoders/test/golden/video-frame-indices.json"
out.write_text(json.dumps({"source": "numpy " + np.__version__ + " linspace(0, total - 1, count, dtype=int)", "cases": cases}) + "\n")
print(f"wrote {len(cases)} cases to {out}")
