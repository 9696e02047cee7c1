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
  /**
   * The ECDSA (P-256) key pair the sandbox signs SendGrid Event Webhook batches with. The public half is what
   * SendGrid's dashboard calls the verification key (base64 DER); Herald's gateway uses it when no real
   * SENDGRID_WEBHOOK_PUBLIC_KEY is configured.
   */
  sendgridEventWebhook: {
    publicKey:
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcUYpgokONFn57xjp6h7EYUIBlmy1oCdknhCk9/XltMII/cy6571PNafyhNdDbDzbwObFEOVL9yXNKiawmniynw==',
    privateKeyPem:
      '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjLZexRwq9MhLF5Z3\noBmetWvmwQfrT1lASAMZ0rQT0cmhRANCAARxRimCiQ40WfnvGOnqHsRhQgGWbLWg\nJ2SeEKT39eW0wgj9zLrnvU81p/KE10NsPNvA5sUQ5Uv3Jc0qJrCaeLKf\n-----END PRIVATE KEY-----\n',
  },
} as const;
