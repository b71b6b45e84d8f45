import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniformFrameIndices } from '@dymu/encoders';
import { dymu } from './dymu.ts';

describe('dymu chat with a video', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-video-'));
  const vlm = join(dir, 'ov');
  const video = join(dir, 'clip.mp4');
  const FRAMES = 10;

  beforeAll(() => {
    expect(dymu('make-vlm', '--family', 'qwen2', '--out', vlm).code).toBe(0);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=40x30:rate=5', '-frames:v', String(FRAMES), '-c:v', 'mpeg4', '-pix_fmt', 'yuv420p', video]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a video file as it takes an image: the frames used, their pooled tokens, the LLM input', () => {
    const chat = dymu('chat', '--vlm', vlm, '--frames', '3', '--max-new-tokens', '2', video, 'What happens?');
    expect(chat.code, chat.err).toBe(0);
    // The tiny SigLIP's 8×8 patches per frame pooled to 4×4, one image_newline after the frames.
    expect(chat.out).toMatch(/clip\.mp4: 49 visual tokens, policy none/);
    expect(chat.out).toContain(`frames: 3 of ${FRAMES} (40×30, 5.00 fps, 2.0 s), numbers ${uniformFrameIndices(FRAMES, 3).join(' ')}`);
    expect(chat.out).toContain("tokens: 49 of the unmerged model's 49 (100.0 %)");
    expect(chat.out).toMatch(/preprocessing: no padding, resize 64×64/);
    expect(chat.out).toMatch(/LLM input: (\d+) positions over \1 unique rows/);
  });

  it('merges each frame with the policy (frames one after another, every patch a virtual position); a file without an extension is probed', () => {
    const bare = join(dir, 'clip');
    copyFileSync(video, bare);
    const chat = dymu('chat', '--vlm', vlm, '--policy', 'tome', '--r', '8', '--frames', '2', '--max-new-tokens', '1', bare, 'What happens?');
    expect(chat.code, chat.err).toBe(0);
    const tokens = Number(chat.out.match(/clip: (\d+) visual tokens, policy tome/)![1]);
    expect(tokens).toBeLessThan(2 * 64);
    expect(chat.out).toContain(`tokens: ${tokens} of the unmerged model's ${2 * 64}`);
    const [, virtual, unique] = chat.out.match(/LLM input: (\d+) positions over (\d+) unique rows/)!.map(Number);
    expect(virtual - unique).toBe(2 * 64 - tokens);
  });

  it('an empty video is one error line naming the file', () => {
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const chat = dymu('chat', '--vlm', vlm, empty, 'What happens?');
    expect(chat.code).toBe(1);
    expect(chat.err).toBe(`dymu: ${empty}: cannot read video: the file is empty\n`);
  });
});
