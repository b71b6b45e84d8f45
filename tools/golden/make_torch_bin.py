#!/usr/bin/env python3
"""Golden PyTorch checkpoints for the `.bin` reader of @dymu/weights, written by torch.save itself.

Writes into OUT (default packages/weights/test/fixtures/torch-bin):
  mixed.bin             one state dict: float32, float16 and bfloat16 tensors, a 0-d tensor, the
                        state_dict() of an nn.Linear (OrderedDict with _metadata), a view with a
                        storage offset that shares its storage with another saved tensor, a
                        Parameter (torch._utils._rebuild_parameter)
  sharded/              pytorch_model-0000i-of-00002.bin + pytorch_model.bin.index.json, as
                        transformers' save_pretrained(safe_serialization=False) shards a model
  transposed.bin        a non-contiguous tensor (strides (1, 4))
  evil.bin              a pickle that names the global posix.system (must be refused, never run)
  not-a-dict.bin        torch.save(7): a checkpoint that holds no state dict
  legacy.bin            a state dict in torch.save's format from before torch 1.6 (not a zip; refused)
  missing-entry.bin     mixed.bin without its data/0 entry
  float64.bin           a float64 tensor (a dtype the reader refuses when it is read)
  zip64.bin             mixed.bin rewritten with ZIP64 records (as torch writes for shards > 4 GiB)
  expected.json         for every tensor of mixed.bin and sharded/: dtype, shape and its bytes
                        (little-endian, C order) in hex, from tensor.numpy() / a view as int16 for
                        bfloat16, independent of the zip and pickle layout

Run: /usr/bin/python3 tools/golden/make_torch_bin.py [OUT]   (Debian: apt-get install python3-torch)
"""
import collections
import json
import os
import struct
import sys
import zipfile

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else 'packages/weights/test/fixtures/torch-bin'


def values(n, scale, shift=0.0):
    # Deterministic, exactly representable in float16 / bfloat16 only sometimes: the reader must copy bits.
    return (torch.arange(n, dtype=torch.float64) * scale + shift).sin().float() * 3


def state():
    torch.manual_seed(0)
    linear = torch.nn.Linear(3, 2)
    base = values(24, 0.37)
    sd = linear.state_dict(prefix='linear.')  # an OrderedDict carrying _metadata, pickled with BUILD
    sd['f32'] = values(6, 0.5).reshape(2, 3)
    sd['f16'] = values(10, 0.71).reshape(5, 2).half()
    sd['bf16'] = values(8, 1.3).reshape(2, 2, 2).bfloat16()
    sd['scalar'] = torch.tensor(2.5)
    sd['base'] = base
    sd['view'] = base[6:18].view(3, 4)  # storage offset 6, same storage as 'base'
    sd['param'] = torch.nn.Parameter(values(4, 0.9))
    return sd


def raw(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes().hex()
    return t.numpy().tobytes().hex()


DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def describe(sd):
    return {k: {'dtype': DTYPES[v.dtype], 'shape': list(v.shape), 'hex': raw(v)} for k, v in sd.items()}


def evil_pickle():
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo this must never run',))

    return collections.OrderedDict(w=torch.ones(2), x=Evil())


def without_entry(src, dst, suffix):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if not info.filename.endswith(suffix):
                # A fixed date keeps the file the same from run to run.
                entry = zipfile.ZipInfo(info.filename.replace('mixed/', 'missing-entry/'), date_time=(1980, 1, 1, 0, 0, 0))
                zout.writestr(entry, zin.read(info))


def as_zip64(src, dst):
    """Rewrites the central directory of a stored zip with ZIP64 fields (0xFFFFFFFF sizes and offsets,
    the real values in a ZIP64 extra field) and a ZIP64 end of central directory record + locator."""
    data = open(src, 'rb').read()
    eocd = data.rindex(b'PK\x05\x06')
    count, cd_size, cd_offset = struct.unpack('<HII', data[eocd + 10:eocd + 20])
    body, pos, central = data[:cd_offset], cd_offset, b''
    for _ in range(count):
        fixed = bytearray(data[pos:pos + 46])
        n, m, k = struct.unpack('<HHH', fixed[28:34])
        name = data[pos + 46:pos + 46 + n]
        csize, usize = struct.unpack('<II', fixed[20:28])
        offset = struct.unpack('<I', fixed[42:46])[0]
        extra = struct.pack('<HHQQQ', 1, 24, usize, csize, offset)
        struct.pack_into('<II', fixed, 20, 0xFFFFFFFF, 0xFFFFFFFF)
        struct.pack_into('<H', fixed, 30, len(extra))
        struct.pack_into('<H', fixed, 32, 0)
        struct.pack_into('<I', fixed, 42, 0xFFFFFFFF)
        struct.pack_into('<H', fixed, 4, 45)
        struct.pack_into('<H', fixed, 6, 45)
        central += bytes(fixed) + name + extra
        pos += 46 + n + m + k
    eocd64_at = len(body) + len(central)
    eocd64 = struct.pack('<IQHHIIQQQQ', 0x06064B50, 44, 45, 45, 0, 0, count, count, len(central), len(body))
    locator = struct.pack('<IIQI', 0x07064B50, 0, eocd64_at, 1)
    end = struct.pack('<IHHHHIIH', 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open(dst, 'wb').write(body + central + eocd64 + locator + end)


def main():
    os.makedirs(os.path.join(OUT, 'sharded'), exist_ok=True)
    sd = state()
    torch.save(sd, os.path.join(OUT, 'mixed.bin'))
    shards = [collections.OrderedDict(), collections.OrderedDict()]
    shards[0]['model.embed.weight'] = values(12, 0.21).reshape(4, 3)
    shards[0]['model.layers.0.weight'] = values(6, 0.43).reshape(3, 2).half()
    shards[1]['model.layers.1.weight'] = values(6, 0.11).reshape(2, 3).bfloat16()
    shards[1]['lm_head.weight'] = values(12, 0.05).reshape(4, 3)
    weight_map = {}
    for i, shard in enumerate(shards):
        name = f'pytorch_model-{i + 1:05d}-of-{len(shards):05d}.bin'
        torch.save(shard, os.path.join(OUT, 'sharded', name))
        weight_map.update({k: name for k in shard})
    total = sum(v.numel() * v.element_size() for s in shards for v in s.values())
    with open(os.path.join(OUT, 'sharded', 'pytorch_model.bin.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)
    torch.save({'t': values(12, 0.3).reshape(3, 4).t()}, os.path.join(OUT, 'transposed.bin'))
    torch.save(evil_pickle(), os.path.join(OUT, 'evil.bin'))
    torch.save(7, os.path.join(OUT, 'not-a-dict.bin'))
    torch.save({'w': torch.ones(2)}, os.path.join(OUT, 'legacy.bin'), _use_new_zipfile_serialization=False)
    torch.save({'d': values(3, 0.3).double()}, os.path.join(OUT, 'float64.bin'))
    without_entry(os.path.join(OUT, 'mixed.bin'), os.path.join(OUT, 'missing-entry.bin'), '/data/0')
    as_zip64(os.path.join(OUT, 'mixed.bin'), os.path.join(OUT, 'zip64.bin'))
    expected = {'mixed.bin': describe(sd), 'sharded': describe(collections.OrderedDict(**shards[0], **shards[1]))}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
