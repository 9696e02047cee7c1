/**
 * Failure types raised by activities as `ApplicationFailure.type`. Permanent ones are listed in
 * `permanentFailureTypes` and never retried; anything else (timeouts, 429, 5xx, network) is retried with backoff.
 */
export const FailureType = {
  /** The provider refused this request for good (invalid number, opted-out recipient, bad payload). */
  ProviderRejected: 'ProviderRejected',
  /** This worker has no credentials for the provider at all: routing skips it without counting a failed attempt. */
  ProviderNotConfigured: 'ProviderNotConfigured',
  /** Our credentials or sender configuration are wrong; retrying cannot help until an operator fixes them. */
  ProviderMisconfigured: 'ProviderMisconfigured',
  /** The provider is throttling or failing (429, 5xx) or unreachable: worth retrying. */
  ProviderUnavailable: 'ProviderUnavailable',
  /** The recipient has no address for the channel the activity was asked to use. */
  MissingContact: 'MissingContact',
  /** Content could not be rendered with the message data. */
  RenderFailed: 'RenderFailed',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const permanentFailureTypes: readonly FailureType[] = [
  FailureType.ProviderNotConfigured,
  FailureType.ProviderRejected,
  FailureType.ProviderMisconfigured,
  FailureType.MissingContact,
  FailureType.RenderFailed,
];
