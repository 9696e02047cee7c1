import { mergeRecipient, resolveSend, templateChannels } from '../../domain/send-resolution';
import type { Template } from '../../domain/template';

const template = (content: Template['content'], extra: Partial<Template> = {}): Template => ({
  id: 'T',
  name: 'T',
  content,
  created: 0,
  updated: 0,
  ...extra,
});

describe('send-time resolution', () => {
  it('merges inline recipient keys over the stored profile and adds registered push tokens once', () => {
    expect(
      mergeRecipient(
        { user_id: 'u', email: 'inline@example.com', firebaseToken: 'own' },
        { profile: { email: 'stored@example.com', name: 'Ada', firebaseToken: 'stored' }, pushTokens: ['own', 't2'] },
      ),
    ).toEqual({ user_id: 'u', email: 'inline@example.com', name: 'Ada', firebaseToken: ['own', 't2'] });
    expect(mergeRecipient({ user_id: 'u' }, { pushTokens: [] })).toEqual({ user_id: 'u' });
  });

  it('knows which channels a template can go out on', () => {
    expect(templateChannels({ email: { subject: 's' }, sms: { body: 'b' } })).toEqual(['email', 'sms']);
    expect(templateChannels({ default: { body: 'b' }, sms: { body: 'b' } })).toBeUndefined();
  });

  it('ends UNMAPPED for an unknown template, and sends a SendGrid id through SendGrid email only', () => {
    expect(resolveSend({ to: {}, stored: { pushTokens: [] }, templateId: 'NOPE' }).stop).toEqual({
      status: 'UNMAPPED',
      error: 'template NOPE is not known',
    });
    const sendgrid = resolveSend({
      to: {},
      stored: { pushTokens: [] },
      templateId: 'd-0123456789abcdef0123456789abcdef',
    });
    expect(sendgrid).toMatchObject({
      content: { sendgridTemplateId: 'd-0123456789abcdef0123456789abcdef' },
      allowedChannels: ['email'],
      enabledProviders: ['sendgrid'],
    });
  });

  it("uses a stored template's content and routing and limits channels to its blocks", () => {
    const routing = { method: 'all' as const, channels: ['email', 'sms'] };
    const resolved = resolveSend({
      to: {},
      stored: { pushTokens: [] },
      templateId: 'T',
      template: template({ sms: { body: 'hi' } }, { routing }),
    });
    expect(resolved).toMatchObject({
      content: { template: { sms: { body: 'hi' } } },
      routing,
      allowedChannels: ['sms'],
    });
  });

  it('filters by preference: opted out, opt-in required, and custom routing narrowing the channels', () => {
    const base = { to: { user_id: 'u' }, stored: { pushTokens: [] }, topicId: 'news' };
    expect(resolveSend({ ...base, preference: { user: { status: 'OPTED_OUT' } } }).stop).toMatchObject({
      status: 'FILTERED',
      reason: 'UNSUBSCRIBED',
    });
    expect(resolveSend({ ...base, preference: { topicDefault: 'OPTED_OUT' } }).stop).toMatchObject({
      status: 'FILTERED',
      reason: 'OPT_IN_REQUIRED',
    });
    expect(
      resolveSend({ ...base, preference: { topicDefault: 'REQUIRED', user: { status: 'OPTED_OUT' } } }).stop,
    ).toBeUndefined();
    const narrowed = resolveSend({
      ...base,
      templateId: 'T',
      template: template({ email: { subject: 's' }, sms: { body: 'b' } }),
      preference: { user: { status: 'OPTED_IN', custom_routing: ['sms', 'push'] } },
    });
    expect(narrowed.allowedChannels).toEqual(['sms']);
  });

  it('ends UNROUTABLE (NO_CHANNELS) when custom routing and the template share no channel', () => {
    const resolved = resolveSend({
      to: { user_id: 'u' },
      stored: { pushTokens: [] },
      topicId: 'news',
      templateId: 'T',
      template: template({ email: { subject: 's' } }),
      preference: { user: { status: 'OPTED_IN', custom_routing: ['sms'] } },
    });
    expect(resolved.stop).toMatchObject({ status: 'UNROUTABLE', reason: 'NO_CHANNELS' });
    expect(resolved.stop?.error).toContain('allows only sms for topic news');
  });
});
