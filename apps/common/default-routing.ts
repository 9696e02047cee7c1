import type { RoutingNode } from '../../domain/message';
import { defaultRouting } from '../../domain/routing';
import { routingSchema } from '../../domain/send-request.schema';

/**
 * `HERALD_DEFAULT_ROUTING`: the workspace's routing for sends that name none, as JSON. The gateway uses it for
 * `POST /send`, the worker for automation sends, so both read it the same way.
 */
export function parseDefaultRouting(json: string | undefined): RoutingNode {
  if (!json) return defaultRouting;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('invalid configuration: HERALD_DEFAULT_ROUTING is not JSON');
  }
  const parsed = routingSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`invalid configuration: HERALD_DEFAULT_ROUTING: ${parsed.error.issues[0].message}`);
  }
  return parsed.data as RoutingNode;
}
