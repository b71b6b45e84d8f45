#!/usr/bin/env python3
"""Independent reference forward of CLIP / SigLIP vision towers, in float64 PyTorch.

Written from the model definitions (Hugging Face CLIPVisionTransformer / SiglipVisionTransformer),
without the transformers library, so that it can check our float32 implementation to ~1e-4.

  CLIP:   patch conv (no bias) -> [class_embedding; patches] + position_embedding -> pre_layrnorm
          -> layers -> last_hidden_state (no final LN); pooler_output = post_layernorm(token 0)
  SigLIP: patch conv (bias) -> + position_embedding (no class token) -> layers -> post_layernorm
  layer:  x = x + out_proj(attn(layer_norm1(x))); x = x + fc2(act(fc1(layer_norm2(x))))
  attn:   softmax((q * head_dim^-0.5) k^T + bias[key]) v, per head

The model directory is in Hugging Face layout: config.json (a CLIPVisionModel / SiglipVisionModel
config, or a CLIPModel / SiglipModel one with a nested vision_config; omitted fields take the
Hugging Face defaults) and model.safetensors or model.safetensors.index.json with its shards
(F32, F16, BF16 or F64, read by hand). Pixels are raw little-endian float32 [B, 3, S, S] with
S = image_size, already preprocessed. --bias is an optional float32 file of T (or B*T) additive
attention logits per key, e.g. log(token size) for proportional attention.

Output JSON: hidden_states[0..L] (0 = embeddings, after pre_layrnorm for CLIP), last_hidden_state,
pooler_output (CLIP only), keys_mean[0..L-1] (k_proj(layer_norm1(x)) incl. bias, averaged over
heads: [B, T, head_dim]); each as {"shape": [...], "data_b64": base64 of float32 LE}.

Install (Debian): apt-get install python3-torch python3-numpy
Run:  python3 tools/golden/vit_reference.py --model DIR --pixels FILE.f32 --batch B --out OUT.json [--bias FILE.f32]
(use /usr/bin/python3 where another python3 comes first on PATH)
"""
import argparse
import base64
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "BF16": np.uint16}
DEFAULTS = {  # transformers' CLIPVisionConfig / SiglipVisionConfig defaults
    "clip": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                 num_channels=3, image_size=224, patch_size=32, hidden_act="quick_gelu", layer_norm_eps=1e-5),
    "siglip": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                   num_channels=3, image_size=224, patch_size=16, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6),
}
ACTS = {
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "gelu": lambda x: F.gelu(x),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
}


def read_safetensors(path, wanted):
    """Tensors of one .safetensors file whose names pass `wanted`, as float64 torch tensors."""
    out = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        for name, info in header.items():
            if name == "__metadata__" or not wanted(name):
                continue
            if info["dtype"] not in DTYPES:
                raise SystemExit(f"{path}: {name}: unsupported dtype {info['dtype']}")
            start, end = info["data_offsets"]
            f.seek(base + start)
            raw = np.frombuffer(f.read(end - start), dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
            if info["dtype"] == "BF16":
                raw = (raw.astype(np.uint32) << 16).view(np.float32)
            out[name] = torch.from_numpy(raw.astype(np.float64).reshape(info["shape"]))
    return out


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    vc = config.get("vision_config", config)
    model_type = (vc.get("model_type") or config.get("model_type") or "").lower()
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(model_dir, name), lambda n: "text_model" not in n))
    prefix = next((n[: -len("embeddings.patch_embedding.weight")] for n in tensors
                   if n.endswith("embeddings.patch_embedding.weight")), None)
    if prefix is None:
        raise SystemExit(f"{model_dir}: no embeddings.patch_embedding.weight tensor")
    w = {n[len(prefix):]: t for n, t in tensors.items() if n.startswith(prefix)}
    kind = "siglip" if "siglip" in model_type else "clip" if "clip" in model_type else (
        "clip" if "embeddings.class_embedding" in w else "siglip")
    cfg = {**DEFAULTS[kind], **{k: v for k, v in vc.items() if k in DEFAULTS[kind]}}
    return kind, cfg, w


def layer_norm(x, w, name, eps):
    return F.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], eps)


def linear(x, w, name):
    return F.linear(x, w[name + ".weight"], w[name + ".bias"])


def forward(kind, cfg, w, pixels, bias=None):
    B = pixels.shape[0]
    D, H, P, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["patch_size"], cfg["layer_norm_eps"]
    hd = D // H
    if cfg["hidden_act"] not in ACTS:
        raise SystemExit(f"unsupported hidden_act {cfg['hidden_act']!r} (known: {', '.join(ACTS)})")
    act = ACTS[cfg["hidden_act"]]
    x = F.conv2d(pixels, w["embeddings.patch_embedding.weight"], w.get("embeddings.patch_embedding.bias"), stride=P)
    x = x.flatten(2).transpose(1, 2)  # [B, N, D], patches in row-major order
    if kind == "clip":
        x = torch.cat([w["embeddings.class_embedding"].expand(B, 1, D), x], dim=1)
    x = x + w["embeddings.position_embedding.weight"][None]
    if kind == "clip":
        x = layer_norm(x, w, "pre_layrnorm", eps)
    T = x.shape[1]
    if bias is not None:
        bias = bias.reshape(-1, 1, 1, T)  # [1 or B, 1, 1, T]: added to every query's logits
    hidden, keys_mean = [x], []
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layers.{i}."
        h = layer_norm(x, w, p + "layer_norm1", eps)
        q, k, v = (linear(h, w, p + "self_attn." + n).view(B, T, H, hd).transpose(1, 2)
                   for n in ("q_proj", "k_proj", "v_proj"))
        keys_mean.append(k.mean(dim=1))  # [B, T, hd]
        logits = (q * hd ** -0.5) @ k.transpose(-1, -2)
        if bias is not None:
            logits = logits + bias
        a = torch.softmax(logits, dim=-1) @ v  # [B, H, T, hd]
        x = x + linear(a.transpose(1, 2).reshape(B, T, D), w, p + "self_attn.out_proj")
        h = layer_norm(x, w, p + "layer_norm2", eps)
        x = x + linear(act(linear(h, w, p + "mlp.fc1")), w, p + "mlp.fc2")
        hidden.append(x)
    out = {"hidden_states": hidden, "keys_mean": keys_mean}
    if kind == "clip":
        out["last_hidden_state"] = x
        out["pooler_output"] = layer_norm(x[:, 0], w, "post_layernorm", eps)
    else:
        out["last_hidden_state"] = layer_norm(x, w, "post_layernorm", eps)
    return out


def encode(t):
    a = t.detach().numpy().astype("<f4")
    return {"shape": list(a.shape), "data_b64": base64.b64encode(a.tobytes()).decode()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--pixels", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bias", help="float32 [T] or [B*T] additive attention logits per key")
    args = ap.parse_args()
    kind, cfg, w = load_model(args.model)
    S, C = cfg["image_size"], cfg["num_channels"]
    raw = np.fromfile(args.pixels, dtype="<f4")
    if raw.size != args.batch * C * S * S:
        raise SystemExit(f"{args.pixels}: {raw.size} floats, expected {args.batch}x{C}x{S}x{S}")
    pixels = torch.from_numpy(raw.astype(np.float64).reshape(args.batch, C, S, S))
    bias = None
    if args.bias:
        bias = torch.from_numpy(np.fromfile(args.bias, dtype="<f4").astype(np.float64))
        T = (S // cfg["patch_size"]) ** 2 + (kind == "clip")
        if bias.numel() not in (T, args.batch * T):
            raise SystemExit(f"{args.bias}: {bias.numel()} floats, expected {T} or {args.batch}x{T}")
    with torch.no_grad():
        out = forward(kind, cfg, w, pixels, bias)
    result = {"model_type": kind, "config": cfg,
              "hidden_states": [encode(h) for h in out["hidden_states"]],
              "last_hidden_state": encode(out["last_hidden_state"]),
              "keys_mean": [encode(k) for k in out["keys_mean"]]}
    if "pooler_output" in out:
        result["pooler_output"] = encode(out["pooler_output"])
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
