import { extname } from 'node:path';
import { IMAGE_EXTENSIONS } from '@dymu/datasets';
import { probeVideo } from '@dymu/encoders';
import type { VisualInput } from '@dymu/llm';

/** Containers whose files are videos by their name alone. */
const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mp4', '.m4v', '.mkv', '.webm', '.mov', '.avi', '.mpg', '.mpeg', '.ts', '.wmv', '.flv', '.ogv', '.3gp']);

/**
 * A file as the VLM takes it: a video by its extension, an image by its; a file named otherwise is
 * a video when FFmpeg finds more than one frame in it (a still image probes as one frame), else an image.
 */
export async function visualInput(file: string): Promise<VisualInput> {
  const extension = extname(file).toLowerCase();
  if (VIDEO_EXTENSIONS.has(extension)) return { video: file };
  if (IMAGE_EXTENSIONS.has(extension)) return file;
  const frames = await probeVideo(file).then((info) => info.frames, () => 0);
  return frames > 1 ? { video: file } : file;
}
