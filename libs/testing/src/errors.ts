/** A container image the harness needs is not present locally. The harness never pulls. Not retryable. */
export class ImageMissingError extends Error {
  override readonly name = 'ImageMissingError';
  readonly retryable = false;
  constructor(readonly image: string) {
    super(`image ${image} is missing: run \`make images\``);
  }
}

/** A condition polled by {@link waitFor} did not hold within its timeout. `cause` is the last error seen, if any. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly retryable = false;
  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    const last = options?.cause instanceof Error ? ` (last error: ${options.cause.message})` : '';
    super(`timed out after ${timeoutMs}ms waiting for ${description}${last}`, options);
  }
}
