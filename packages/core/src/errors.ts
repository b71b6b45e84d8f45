/** Where a problem was found: the file, and the field / tensor / record inside it. */
export interface ErrorLocation {
  file?: string;
  field?: string;
  cause?: unknown;
}

/**
 * The project's one error type for bad input. Its message starts with the file and the field
 * (e.g. `model/config.json: vision_config.hidden_size: expected a positive integer, got "x"`),
 * so a user can find the problem without a stack trace.
 */
export class DymuError extends Error {
  readonly file?: string;
  readonly field?: string;

  constructor(message: string, where: ErrorLocation = {}) {
    const prefix = [where.file, where.field].filter((s) => s !== undefined && s !== '').join(': ');
    super(prefix ? `${prefix}: ${message}` : message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'DymuError';
    this.file = where.file;
    this.field = where.field;
  }
}
