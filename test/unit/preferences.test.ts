import {
  decidePreference,
  preferenceView,
  type PreferenceDecision,
  type PreferenceInputs,
} from '../../domain/preferences';

const SEND: PreferenceDecision = { send: true };
const UNSUBSCRIBED: PreferenceDecision = { send: false, reason: 'UNSUBSCRIBED' };
const OPT_IN_REQUIRED: PreferenceDecision = { send: false, reason: 'OPT_IN_REQUIRED' };

describe(decidePreference.name, () => {
  it.each<[string, PreferenceInputs, PreferenceDecision]>([
    ['nothing is configured', {}, SEND],
    ['the topic defaults to opted in', { topicDefault: 'OPTED_IN' }, SEND],
    ['the user opted in', { user: { status: 'OPTED_IN' } }, SEND],
    [
      'the user opted in to a topic that defaults to opted out',
      { topicDefault: 'OPTED_OUT', user: { status: 'OPTED_IN' } },
      SEND,
    ],
    [
      'the user opted in against an opted-out tenant default',
      { tenantDefault: { status: 'OPTED_OUT' }, user: { status: 'OPTED_IN' } },
      SEND,
    ],
    [
      'the tenant opts users in to a topic that defaults to opted out',
      { topicDefault: 'OPTED_OUT', tenantDefault: { status: 'OPTED_IN' } },
      SEND,
    ],
    ['the topic is required', { topicDefault: 'REQUIRED' }, SEND],
    ['the topic is required and the user opted out', { topicDefault: 'REQUIRED', user: { status: 'OPTED_OUT' } }, SEND],
    [
      'the topic is required and the tenant default is opted out',
      { topicDefault: 'REQUIRED', tenantDefault: { status: 'OPTED_OUT' } },
      SEND,
    ],
    [
      'the tenant makes the topic required and the user opted out',
      { topicDefault: 'OPTED_IN', tenantDefault: { status: 'REQUIRED' }, user: { status: 'OPTED_OUT' } },
      SEND,
    ],
    ['the user marked the topic required', { topicDefault: 'OPTED_OUT', user: { status: 'REQUIRED' } }, SEND],
  ])('sends when %s', (_case, inputs, expected) => {
    expect(decidePreference(inputs)).toEqual(expected);
  });

  it.each<[string, PreferenceInputs, PreferenceDecision]>([
    ['the user opted out', { user: { status: 'OPTED_OUT' } }, UNSUBSCRIBED],
    [
      'the user opted out of an opted-in topic',
      { topicDefault: 'OPTED_IN', user: { status: 'OPTED_OUT' } },
      UNSUBSCRIBED,
    ],
    [
      'the user opted out against an opted-in tenant default',
      { tenantDefault: { status: 'OPTED_IN' }, user: { status: 'OPTED_OUT' } },
      UNSUBSCRIBED,
    ],
    [
      'the user opted out of a topic that defaults to opted out',
      { topicDefault: 'OPTED_OUT', user: { status: 'OPTED_OUT' } },
      UNSUBSCRIBED,
    ],
    ['the topic defaults to opted out and the user never chose', { topicDefault: 'OPTED_OUT' }, OPT_IN_REQUIRED],
    [
      'the tenant defaults to opted out and the user never chose',
      { topicDefault: 'OPTED_IN', tenantDefault: { status: 'OPTED_OUT' } },
      OPT_IN_REQUIRED,
    ],
    ['only the tenant has a default, opted out', { tenantDefault: { status: 'OPTED_OUT' } }, OPT_IN_REQUIRED],
  ])('does not send when %s', (_case, inputs, expected) => {
    expect(decidePreference(inputs)).toEqual(expected);
  });

  it("limits the channels to the user's custom routing, over the tenant default's", () => {
    expect(
      decidePreference({
        tenantDefault: { status: 'OPTED_IN', custom_routing: ['sms'] },
        user: { status: 'OPTED_IN', custom_routing: ['email', 'push'] },
      }),
    ).toEqual({ send: true, channels: ['email', 'push'] });
  });

  it("uses the tenant default's custom routing when the user has none", () => {
    expect(decidePreference({ tenantDefault: { status: 'OPTED_IN', custom_routing: ['inbox'] } })).toEqual({
      send: true,
      channels: ['inbox'],
    });
    expect(
      decidePreference({
        tenantDefault: { status: 'OPTED_OUT', custom_routing: ['inbox'] },
        user: { status: 'OPTED_IN' },
      }),
    ).toEqual({ send: true, channels: ['inbox'] });
  });

  it('keeps custom routing on a required topic, which still cannot be opted out of', () => {
    expect(
      decidePreference({ topicDefault: 'REQUIRED', user: { status: 'OPTED_OUT', custom_routing: ['email'] } }),
    ).toEqual({ send: true, channels: ['email'] });
  });

  it('treats an empty custom routing as none, so it cannot silence a topic', () => {
    expect(decidePreference({ user: { status: 'OPTED_IN', custom_routing: [] } })).toEqual(SEND);
    expect(
      decidePreference({
        tenantDefault: { status: 'OPTED_IN', custom_routing: ['sms'] },
        user: { status: 'OPTED_IN', custom_routing: [] },
      }),
    ).toEqual({ send: true, channels: ['sms'] });
  });

  it('returns channels the caller can change without touching the inputs', () => {
    const inputs: PreferenceInputs = { user: { status: 'OPTED_IN', custom_routing: ['email'] } };
    const decision = decidePreference(inputs);
    if (!decision.send || !decision.channels) throw new Error('expected a send with channels');
    decision.channels.push('sms');
    expect(inputs.user?.custom_routing).toEqual(['email']);
  });
});

describe(preferenceView.name, () => {
  it('shows the default a user has before choosing, and the status that applies', () => {
    expect(preferenceView({})).toEqual({ status: 'OPTED_IN', default_status: 'OPTED_IN' });
    expect(preferenceView({ topicDefault: 'OPTED_OUT' })).toEqual({ status: 'OPTED_OUT', default_status: 'OPTED_OUT' });
    expect(preferenceView({ topicDefault: 'OPTED_OUT', user: { status: 'OPTED_IN' } })).toEqual({
      status: 'OPTED_IN',
      default_status: 'OPTED_OUT',
    });
  });

  it("shows the tenant's default in place of the topic's, except over a required topic", () => {
    expect(preferenceView({ topicDefault: 'OPTED_IN', tenantDefault: { status: 'OPTED_OUT' } })).toEqual({
      status: 'OPTED_OUT',
      default_status: 'OPTED_OUT',
    });
    expect(preferenceView({ topicDefault: 'REQUIRED', tenantDefault: { status: 'OPTED_OUT' } })).toEqual({
      status: 'REQUIRED',
      default_status: 'REQUIRED',
    });
  });

  it('shows a required topic as required even after the user opted out', () => {
    expect(preferenceView({ topicDefault: 'REQUIRED', user: { status: 'OPTED_OUT' } })).toEqual({
      status: 'REQUIRED',
      default_status: 'REQUIRED',
    });
  });

  it('shows the custom routing that applies', () => {
    expect(preferenceView({ user: { status: 'OPTED_IN', custom_routing: ['push'] } })).toEqual({
      status: 'OPTED_IN',
      default_status: 'OPTED_IN',
      custom_routing: ['push'],
    });
    expect(preferenceView({ tenantDefault: { status: 'OPTED_IN', custom_routing: ['sms'] } })).toEqual({
      status: 'OPTED_IN',
      default_status: 'OPTED_IN',
      custom_routing: ['sms'],
    });
  });
});
