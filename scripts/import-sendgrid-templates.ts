/**
 * `npm run import:sendgrid [-- d-… d-…]`: asks a running gateway to import SendGrid dynamic templates (all of
 * them, or the ids given) and prints what it imported and skipped. The gateway does the work with its own
 * SendGrid key (SENDGRID_API_KEY, else the provider sandbox). Settings: HERALD_URL (default
 * http://127.0.0.1:3000), HERALD_API_KEY (default the development key `npm start` accepts).
 */
import { DEVELOPMENT_API_KEY } from '../apps/gateway/config';
import type { ImportResult } from '../apps/gateway/templates/sendgrid-import';

export async function requestSendGridImport(heraldUrl: string, apiKey: string, ids?: string[]): Promise<ImportResult> {
  const url = `${heraldUrl.replace(/\/$/, '')}/templates/import/sendgrid`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(ids && ids.length > 0 ? { ids } : {}),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED…) is what tells a person the gateway is not up.
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(`could not reach Herald at ${url}: ${cause}`);
  }
  const text = await response.text();
  if (response.status !== 200) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // Not JSON (a proxy's error page): show it as it came.
    }
    throw new Error(`${url} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text) as ImportResult;
}

export function describeImport(result: ImportResult): string {
  const lines = [
    ...result.imported.map((t) => `imported ${t.id} (${t.name}) from ${t.source}`),
    ...result.skipped.map((s) => `skipped ${s.sendgrid_id}: ${s.reason}`),
    `${result.imported.length} imported, ${result.skipped.length} skipped`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const heraldUrl = process.env.HERALD_URL || 'http://127.0.0.1:3000';
  const apiKey = process.env.HERALD_API_KEY || DEVELOPMENT_API_KEY;
  const result = await requestSendGridImport(heraldUrl, apiKey, process.argv.slice(2));
  console.log(describeImport(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
