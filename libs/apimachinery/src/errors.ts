import type { FieldErrorList } from './validation/field-errors.js';

/**
 * A label or field selector string did not parse. The message is Kubernetes' own
 * (`unable to parse requirement: ...`, `found ',', expected: ...`, `invalid selector: ...`);
 * the apiserver answers it with 400 BadRequest. Not retryable.
 */
export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
  readonly retryable = false;
  readonly statusReason = 'BadRequest';
  constructor(
    message: string,
    /** The field errors behind the message, when a requirement failed validation. */
    readonly fieldErrors: FieldErrorList = [],
  ) {
    super(message);
  }
}

/**
 * A `metav1.LabelSelector` object could not become a selector (bad operator, key or values).
 * The message is what `LabelSelectorAsSelector` returns. Not retryable.
 */
export class InvalidLabelSelectorError extends Error {
  override readonly name = 'InvalidLabelSelectorError';
  readonly retryable = false;
  constructor(
    message: string,
    readonly fieldErrors: FieldErrorList = [],
  ) {
    super(message);
  }
}
