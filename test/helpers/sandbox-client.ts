/** The sandbox's inspection and fault API over HTTP, as a test (or a person with curl) uses it. */
export interface SandboxMessage {
  id: string;
  provider: 'twilio' | 'sendgrid' | 'segment' | 'smtp' | 'firebase-fcm' | 'webhook';
  channel: 'sms' | 'email' | 'push' | 'webhook' | 'analytics';
  to: string;
  from?: string;
  subject?: string;
  body?: string;
  html?: string;
  status: string;
  receivedAt: number;
  params: Record<string, unknown>;
}

export interface Fault {
  provider: 'twilio' | 'sendgrid' | 'segment' | 'smtp' | 'firebase-fcm' | 'webhook';
  count: number;
  status?: number;
  mode?: 'status' | 'timeout' | 'drop' | 'slow';
  delayMs?: number;
}

export function sandboxClient(baseUrl: string) {
  return {
    async messages(filter: { provider?: string; to?: string } = {}): Promise<SandboxMessage[]> {
      const query = new URLSearchParams(filter as Record<string, string>).toString();
      const response = await fetch(`${baseUrl}/sandbox/messages${query ? `?${query}` : ''}`);
      if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
      return (await response.json()) as SandboxMessage[];
    },
    async clear(): Promise<void> {
      await fetch(`${baseUrl}/sandbox/messages`, { method: 'DELETE' });
    },
    async inject(fault: Fault): Promise<void> {
      const response = await fetch(`${baseUrl}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (!response.ok) throw new Error(`sandbox refused fault: ${response.status} ${await response.text()}`);
    },
  };
}
export type SandboxClient = ReturnType<typeof sandboxClient>;
