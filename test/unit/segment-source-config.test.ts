import { loadSegmentSourceSettings } from '../../apps/common/segment-source';
import { loadGatewayConfig } from '../../apps/gateway/config';
import { loadWorkerConfig } from '../../apps/worker/config';
import { sandboxCredentials } from '../../apps/sandbox/credentials';

describe(loadSegmentSourceSettings.name, () => {
  const sandboxUrl = 'http://127.0.0.1:4010';

  it('reports to the sandbox with its write key when no key is configured, as the providers do', () => {
    expect(loadSegmentSourceSettings({}, sandboxUrl)).toEqual({
      writeKey: sandboxCredentials.segment.writeKey,
      host: 'http://127.0.0.1:4010/segment',
      eventPrefix: 'Message',
    });
  });

  it("reports to Segment's own API with a real write key, unless a host is given", () => {
    const writeKey = 'real-write-key';
    expect(loadSegmentSourceSettings({ HERALD_SEGMENT_SOURCE_WRITE_KEY: writeKey }, sandboxUrl)).toEqual({
      writeKey,
      host: undefined,
      eventPrefix: 'Message',
    });
    const env = {
      HERALD_SEGMENT_SOURCE_WRITE_KEY: writeKey,
      HERALD_SEGMENT_SOURCE_HOST: 'https://events.eu1.segmentapis.com',
      HERALD_SEGMENT_EVENT_PREFIX: 'Notification',
    };
    expect(loadSegmentSourceSettings(env, sandboxUrl)).toEqual({
      writeKey,
      host: 'https://events.eu1.segmentapis.com',
      eventPrefix: 'Notification',
    });
  });

  it('is off with HERALD_SEGMENT_SOURCE=off, and refuses other values by name', () => {
    expect(loadSegmentSourceSettings({ HERALD_SEGMENT_SOURCE: 'off' }, sandboxUrl)).toBeUndefined();
    expect(() => loadSegmentSourceSettings({ HERALD_SEGMENT_SOURCE: 'no' }, sandboxUrl)).toThrow(
      /HERALD_SEGMENT_SOURCE/,
    );
  });

  it('is read the same way by worker and gateway', () => {
    const env = { PROVIDER_SANDBOX_URL: 'http://sandbox.test:9000', HERALD_SEGMENT_EVENT_PREFIX: 'Herald' };
    const expected = {
      writeKey: sandboxCredentials.segment.writeKey,
      host: 'http://sandbox.test:9000/segment',
      eventPrefix: 'Herald',
    };
    expect(loadWorkerConfig(env).segmentSource).toEqual(expected);
    expect(loadGatewayConfig(env).segmentSource).toEqual(expected);
  });
});
