/** A flag or variable had a value the service cannot run with. Not retryable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A service did not finish shutting down within its shutdown timeout. */
export class ShutdownTimeoutError extends Error {
  override readonly name = 'ShutdownTimeoutError';
  readonly retryable = false;
  constructor(readonly timeoutMs: number) {
    super(`shutdown did not finish within ${timeoutMs}ms`);
  }
}
