import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failures';

/**
 * Turns a provider's HTTP status into Herald's failure type. Decided here, where the fact is known, so the
 * workflow's retry policy only has to list the permanent types.
 */
export function failureForHttpStatus(status: number | undefined): FailureType {
  if (status === undefined) return FailureType.ProviderUnavailable; // network error or timeout
  if (status === 401 || status === 403) return FailureType.ProviderMisconfigured;
  if (status === 408 || status === 409 || status === 429 || status >= 500) return FailureType.ProviderUnavailable;
  return FailureType.ProviderRejected;
}

export function providerFailure(
  provider: string,
  type: FailureType,
  message: string,
  details: Record<string, unknown>,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: `${provider}: ${message}`,
    nonRetryable: type !== FailureType.ProviderUnavailable,
    details: [{ provider, ...details }],
  });
}
