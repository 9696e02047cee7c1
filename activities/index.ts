import { createDeliveryActivities, type DeliveryDeps } from './delivery.activities';

export type ActivityDeps = DeliveryDeps;

/** The single composition seam between the worker and its side effects. */
export function createActivities(deps: ActivityDeps) {
  return { ...createDeliveryActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
export type * from './delivery.activities';
