/**
 * The commands that never run onnxruntime. They start without ensureAllocator's restart under the
 * project's malloc settings, which would double their start-up time for nothing.
 */
const LIGHT_COMMANDS: ReadonlySet<string> = new Set(['ls', 'table', 'sql', 'status']);

/** Whether `dymu ARGS` is worth starting again with the allocator settings: every command but the light ones, and not --help or --version alone. */
export function needsAllocator(args: readonly string[]): boolean {
  const command = args.find((arg) => !arg.startsWith('-'));
  return command !== undefined && !LIGHT_COMMANDS.has(command);
}
