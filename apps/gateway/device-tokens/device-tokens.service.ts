import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  InvalidDeviceTokenError,
  parseDeviceTokenInput,
  type DeviceToken,
  type DeviceTokenInput,
  type HeraldDeviceTokenStore,
} from '../../../db/device-tokens';
import { BadRequest, NotFound } from '../errors/api-error';
import { checkUserId, parseBody, profilePatchBodySchema } from '../profiles/profiles.schema';
import { DEVICE_TOKEN_STORE } from '../tokens';

/**
 * `GET /users/{id}/tokens` answers in one of two shapes, because the SDKs disagree and neither checks at runtime
 * (both hand the parsed body to the caller as it is): v7 (Stainless) and the classic v5 client type it
 * `{tokens: [...]}`, while v6 (Fern) types a bare array. The bare array goes to Fern clients, which say who they
 * are with `X-Fern-Language` on every request; everyone else, including plain HTTP, gets the object.
 */
export type DeviceTokenListView = { tokens: DeviceToken[] } | DeviceToken[];

const bulkBodySchema = z.object(
  { tokens: z.array(z.unknown(), { error: 'must be an array of tokens' }) },
  { error: 'body must be an object' },
);

/** Courier's device tokens API (api-contract §5.4) over Herald's token store. */
@Injectable()
export class DeviceTokensService {
  constructor(@Inject(DEVICE_TOKEN_STORE) private readonly store: HeraldDeviceTokenStore) {}

  async list(userId: string, fernClient: boolean): Promise<DeviceTokenListView> {
    const tokens = await this.store.list(checkUserId(userId));
    return fernClient ? tokens : { tokens };
  }

  async get(userId: string, token: string): Promise<DeviceToken> {
    const found = await this.store.get(checkUserId(userId), checkToken(token));
    if (!found) throw new NotFound(`token not found for user ${userId}`);
    return found;
  }

  async put(userId: string, token: string, body: unknown): Promise<void> {
    await this.guard(() => this.store.put(checkUserId(userId), checkToken(token), parseDeviceTokenInput(body)));
  }

  /**
   * The user's tokens become those of `{tokens: [...]}`. The v6 and v7 `addMultiple` methods send no body at all:
   * with nothing to add, nothing changes, rather than the call wiping the user's tokens.
   */
  async putMany(userId: string, body: unknown): Promise<void> {
    checkUserId(userId);
    if (body === undefined || body === null) return;
    const { tokens } = parseBody(bulkBodySchema, body);
    await this.guard(() => this.store.putMany(userId, tokens as Array<DeviceTokenInput & { token: string }>));
  }

  async patch(userId: string, token: string, body: unknown): Promise<void> {
    const { patch } = parseBody(profilePatchBodySchema, body);
    const found = await this.guard(() => this.store.patch(checkUserId(userId), checkToken(token), patch));
    if (!found) throw new NotFound(`token not found for user ${userId}`);
  }

  /** 204 whether or not the token existed: v7 retries a DELETE that timed out, and the retry must not fail. */
  async delete(userId: string, token: string): Promise<void> {
    await this.store.delete(checkUserId(userId), checkToken(token));
  }

  /** A token or patch the store refused is the caller's mistake: 400, and nothing was written. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InvalidDeviceTokenError) throw new BadRequest(error.message);
      throw error;
    }
  }
}

function checkToken(token: string): string {
  if (!token || token.length > 4096) throw new BadRequest('token must be 1 to 4096 characters');
  return token;
}
