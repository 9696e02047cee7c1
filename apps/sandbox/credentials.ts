/**
 * Credentials the provider sandbox accepts out of the box. Herald's worker falls back to these when no real
 * provider credentials are configured, which is what makes `npm start` work on a machine without internet.
 * They are not secrets: they only open the local emulator.
 */
export const sandboxCredentials = {
  twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: 'sandbox-twilio-auth-token' },
  twilioFrom: '+15005550006',
  sendgrid: { apiKey: 'SG.sandbox-key' },
  segment: { writeKey: 'sandbox-segment-write-key' },
} as const;
