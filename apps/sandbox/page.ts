import type { MessageView } from './store';

const SHOWN = 300;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Email that only has an HTML part still gets a readable preview. */
function preview(message: MessageView): string {
  if (message.body) return message.body;
  if (message.html)
    return message.html
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  if (message.provider !== 'segment') return '';
  // An analytics event has no text; its properties (track/page) or traits (identify/group) say what it was.
  const event = message.params as { properties?: unknown; traits?: unknown };
  return JSON.stringify(event.properties ?? event.traits ?? {});
}

function row(m: MessageView): string {
  const cell = (text: string | null | undefined, cls = '') =>
    `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text ?? '')}</td>`;
  const content = [m.subject ? `<strong>${escapeHtml(m.subject)}</strong>` : '', escapeHtml(preview(m).slice(0, 500))]
    .filter(Boolean)
    .join('<br>');
  return `<tr>${cell(new Date(m.receivedAt).toISOString().slice(11, 23))}${cell(m.provider, `p-${m.provider}`)}${cell(m.to)}${cell(m.from)}<td class="content">${content}</td><td><span class="status s-${escapeHtml(m.status)}">${escapeHtml(m.status)}${m.errorCode ? ` (${m.errorCode})` : ''}</span></td>${cell(m.id, 'id')}</tr>`;
}

/** Self-contained (no external assets) so it works offline; a meta refresh keeps it current without any JS. */
export function renderPage(messages: MessageView[]): string {
  const newestFirst = messages.slice(-SHOWN).reverse();
  const rows = newestFirst.length
    ? newestFirst.map(row).join('\n')
    : '<tr><td colspan="7" class="empty">Nothing received yet.</td></tr>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Herald provider sandbox</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328}
h1{font-size:1.3rem;margin:0 0 .25rem}p.sub{color:#59636e;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d1d9e0;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.content{max-width:40rem;word-break:break-word}td.id{font:12px monospace;color:#59636e}
.p-twilio{color:#c6131b}.p-sendgrid{color:#1a82e2}.p-segment{color:#2a9d5c}
.status{padding:.1rem .45rem;border-radius:1rem;background:#eef1f4;white-space:nowrap}
.s-delivered,.s-accepted,.s-received{background:#dafbe1}.s-failed,.s-undelivered{background:#ffebe9}.s-sent{background:#ddf4ff}
.empty{color:#59636e;text-align:center;padding:2rem}
</style></head><body>
<h1>Herald provider sandbox</h1>
<p class="sub">${messages.length} message(s) received, newest first${messages.length > SHOWN ? ` (showing ${SHOWN})` : ''}. JSON: <a href="/sandbox/messages">/sandbox/messages</a> · <a href="/sandbox/requests">/sandbox/requests</a></p>
<table><thead><tr><th>Time (UTC)</th><th>Provider</th><th>To</th><th>From</th><th>Content</th><th>Status</th><th>Id</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>`;
}
