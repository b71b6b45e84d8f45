/**
 * Video frames for the vision tower, decoded by FFmpeg (Debian's `ffmpeg` package: `ffprobe` and
 * `ffmpeg` on PATH, or DYMU_FFPROBE / DYMU_FFMPEG). Frames are sampled as LLaVA-OneVision's
 * evaluation does (lmms-eval `llava_onevision.load_video`: decord, then
 * `np.linspace(0, total_frame_num - 1, max_frames_num, dtype=int)`), decoded to 8-bit RGB and handed
 * on as lossless PNG buffers, so every frame goes through the same image preprocessing as a photo.
 *
 * Why a system FFmpeg and not an npm binary: the npm packages that bring FFmpeg either download a
 * build from outside the registry while installing (which fails offline) or ship an old static
 * build; Debian's is maintained, has every common codec, and is one `apt-get install` away.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { DymuError } from '@dymu/core';

/** LLaVA-OneVision's default number of frames per video (lmms-eval `max_frames_num`). */
export const ONEVISION_FRAMES = 32;

export interface VideoInfo {
  file: string;
  width: number;
  height: number;
  /** Frames in the first video stream, counted from its packets (what decord's `len(vr)` gives). */
  frames: number;
  /** Average frame rate (frames per second). */
  fps: number;
  durationS: number;
}

export interface VideoFrames {
  info: VideoInfo;
  /** The sampled frame numbers (0-based, in decoding order), one per returned frame. */
  indices: number[];
  /** Each sampled frame as a lossless PNG. */
  frames: Buffer[];
}

/** `np.linspace(0, total - 1, count, dtype=int)`: the same float64 steps, truncated toward zero. */
export function uniformFrameIndices(total: number, count: number): number[] {
  if (!Number.isInteger(total) || total < 1) throw new DymuError(`a video needs at least one frame, got ${total}`, { field: 'frames' });
  if (!Number.isInteger(count) || count < 1) throw new DymuError(`expected a positive integer, got ${count}`, { field: 'frames' });
  if (count === 1) return [0];
  const step = (total - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? total - 1 : Math.trunc(i * step)));
}

function tool(name: 'ffmpeg' | 'ffprobe'): string {
  return process.env[`DYMU_${name.toUpperCase()}`] ?? name;
}

function run(name: 'ffmpeg' | 'ffprobe', args: string[], file: string, maxBuffer: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(tool(name), args, { encoding: 'buffer', maxBuffer }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new DymuError(`cannot read video: ${tool(name)} not found (install Debian's ffmpeg package, or set DYMU_${name.toUpperCase()})`, { file }));
      }
      const why = stderr.toString().trim().split('\n').pop() || error.message;
      reject(new DymuError(`cannot read video: ${why}`, { file, cause: error }));
    });
  });
}

function rate(text: unknown): number {
  const [num, den] = String(text).split('/').map(Number);
  return den ? num / den : num;
}

/** Size, frame count, rate and duration of the first video stream. */
export async function probeVideo(file: string): Promise<VideoInfo> {
  const size = await stat(file).then((s) => (s.isFile() ? s.size : -1), () => undefined);
  if (size === undefined) throw new DymuError('cannot read video: no such file', { file });
  if (size < 0) throw new DymuError('cannot read video: not a regular file', { file });
  if (size === 0) throw new DymuError('cannot read video: the file is empty', { file });
  const out = await run('ffprobe', [
    '-v', 'error', '-count_packets', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,avg_frame_rate,nb_read_packets:format=duration', '-of', 'json', file,
  ], file, 1 << 20);
  const parsed = JSON.parse(out.toString()) as { streams?: Record<string, unknown>[]; format?: { duration?: string } };
  const stream = parsed.streams?.[0];
  if (!stream) throw new DymuError('cannot read video: it has no video stream', { file });
  const frames = Number(stream.nb_read_packets ?? 0);
  if (!(frames > 0)) throw new DymuError('cannot read video: it has no frames (zero-length video)', { file });
  return {
    file,
    width: Number(stream.width),
    height: Number(stream.height),
    frames,
    fps: rate(stream.avg_frame_rate),
    durationS: Number(parsed.format?.duration ?? 0),
  };
}

/** `count` frames sampled uniformly over the whole video (see `uniformFrameIndices`), as PNGs. */
export async function readVideoFrames(file: string, count = ONEVISION_FRAMES): Promise<VideoFrames> {
  const info = await probeVideo(file);
  const indices = uniformFrameIndices(info.frames, count);
  const wanted = [...new Set(indices)];
  const frameBytes = info.width * info.height * 3;
  const raw = await run('ffmpeg', [
    '-v', 'error', '-nostdin', '-i', file, '-map', '0:v:0',
    '-vf', `select='${wanted.map((n) => `eq(n\\,${n})`).join('+')}'`, '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
  ], file, frameBytes * wanted.length + (1 << 20));
  if (raw.length !== frameBytes * wanted.length) {
    throw new DymuError(`cannot read video: decoded ${Math.floor(raw.length / frameBytes)} of the ${wanted.length} sampled frames (of ${info.frames})`, { file });
  }
  const pngs = await Promise.all(wanted.map((_, i) =>
    sharp(raw.subarray(i * frameBytes, (i + 1) * frameBytes), { raw: { width: info.width, height: info.height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer()));
  const byIndex = new Map(wanted.map((n, i) => [n, pngs[i]]));
  return { info, indices, frames: indices.map((n) => byIndex.get(n) as Buffer) };
}
