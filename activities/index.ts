import { createAudienceActivities, type AudienceDeps } from './audience.activities';
import { createAutomationActivities, type AutomationDeps } from './automation.activities';
import { createDeliveryActivities, type DeliveryDeps } from './delivery.activities';
import { createRecipientActivities, type RecipientDeps } from './recipients.activities';

export type ActivityDeps = DeliveryDeps & RecipientDeps & AudienceDeps & AutomationDeps;

/** The single composition seam between the worker and its side effects. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDeliveryActivities(deps),
    ...createRecipientActivities(deps),
    ...createAudienceActivities(deps),
    ...createAutomationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type * from './delivery.activities';
export type * from './recipients.activities';
export type * from './audience.activities';
export type * from './automation.activities';
