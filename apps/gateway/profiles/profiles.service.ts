import { Inject, Injectable } from '@nestjs/common';
import { ProfilePatchError, type HeraldProfileStore, type Profile } from '../../../db/profiles';
import { BadRequest, NotFound } from '../errors/api-error';
import { PROFILE_STORE } from '../tokens';
import { checkUserId, parseBody, profileBodySchema, profilePatchBodySchema } from './profiles.schema';

export interface ProfileView {
  profile: Profile;
}

export interface ProfileWritten {
  status: 'SUCCESS';
}

const SUCCESS: ProfileWritten = { status: 'SUCCESS' };

/** Courier's profiles API over Herald's profile store (api-contract §5.1). */
@Injectable()
export class ProfilesService {
  constructor(@Inject(PROFILE_STORE) private readonly store: HeraldProfileStore) {}

  async get(userId: string): Promise<ProfileView> {
    const profile = await this.store.get(checkUserId(userId));
    if (!profile) throw new NotFound(`profile ${userId} not found`);
    return { profile };
  }

  async merge(userId: string, body: unknown): Promise<ProfileWritten> {
    const { profile } = parseBody(profileBodySchema, body);
    await this.guard(() => this.store.merge(checkUserId(userId), profile));
    return SUCCESS;
  }

  async replace(userId: string, body: unknown): Promise<ProfileWritten> {
    const { profile } = parseBody(profileBodySchema, body);
    await this.guard(() => this.store.replace(checkUserId(userId), profile));
    return SUCCESS;
  }

  async patch(userId: string, body: unknown): Promise<ProfileWritten> {
    const { patch } = parseBody(profilePatchBodySchema, body);
    const found = await this.guard(() => this.store.patch(checkUserId(userId), patch));
    if (!found) throw new NotFound(`profile ${userId} not found`);
    return SUCCESS;
  }

  async delete(userId: string): Promise<void> {
    await this.store.delete(checkUserId(userId));
  }

  /** A patch (or a key) the store refused is the caller's mistake: 400, and nothing was written. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ProfilePatchError) throw new BadRequest(error.message);
      throw error;
    }
  }
}
