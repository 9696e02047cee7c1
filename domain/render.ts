import Handlebars from 'handlebars';
import type { Channel } from './channels';
import type { MessageContent, Recipient } from './message';

/**
 * Rendering with Handlebars. Pure, but kept out of workflow code (it is imported by activities and the gateway
 * only) so the workflow bundle stays small.
 */

export interface RenderedContent {
  /** Email subject / push title. */
  title: string;
  /** Plain text: the SMS body, the email's text part. */
  text: string;
  /** HTML for channels that have it (email). */
  html: string;
}

/** A template that has nothing for the channel it was routed to. */
export class NoContentForChannel extends Error {}

/** One private Handlebars environment, so Herald's helpers never leak into (or from) other users of the module. */
const handlebars = Handlebars.create();

type HelperOptions = Handlebars.HelperOptions;

/**
 * `{{currency total}}`, `{{currency total "EUR"}}`, `{{currency total currency="JPY" locale="ja-JP"}}`: a number
 * as money with Intl (default USD, en-US). A value that is not a number is shown as it is rather than failing.
 */
handlebars.registerHelper('currency', function (value: unknown, ...rest: unknown[]) {
  const options = rest.pop() as HelperOptions;
  const code = String(rest[0] ?? options.hash.currency ?? 'USD');
  const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof amount !== 'number' || Number.isNaN(amount)) return value === undefined ? '' : String(value);
  return new Intl.NumberFormat(String(options.hash.locale ?? 'en-US'), { style: 'currency', currency: code }).format(
    amount,
  );
});

/**
 * `{{date placed_at}}`, `{{date placed_at "long"}}`, `{{date placed_at style="short" timeZone="Europe/Oslo"}}`: an
 * ISO string or epoch ms as a date with Intl (styles short, medium, long, full; default medium, UTC, en-US).
 */
handlebars.registerHelper('date', function (value: unknown, ...rest: unknown[]) {
  const options = rest.pop() as HelperOptions;
  const style = String(rest[0] ?? options.hash.style ?? 'medium') as 'short' | 'medium' | 'long' | 'full';
  const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) return value === undefined ? '' : String(value);
  return new Intl.DateTimeFormat(String(options.hash.locale ?? 'en-US'), {
    dateStyle: style,
    timeZone: String(options.hash.timeZone ?? 'UTC'),
  }).format(date);
});

/** Throws with Handlebars' own message (line and column) when a template does not parse. */
export function checkTemplateSyntax(source: string): void {
  handlebars.parse(source);
}

function renderText(source: string, context: object): string {
  return handlebars.compile(source, { noEscape: true, strict: false })(context);
}

function renderHtml(source: string, context: object): string {
  return handlebars.compile(source, { strict: false })(context);
}

/** Plain text as simple HTML: blank lines separate paragraphs, single newlines become line breaks. */
function textToHtml(source: string, context: object): string {
  return renderHtml(source, context)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/**
 * Renders a message for one channel. Inline content uses `title`/`body` everywhere; a template uses its block for
 * the channel, else its `default` block, else throws `NoContentForChannel`. Data wins over `profile` at the top level.
 */
export function renderContent(
  content: MessageContent,
  data: Record<string, unknown>,
  recipient: Recipient,
  channel: Channel,
): RenderedContent {
  // Recipient fields are reachable as {{profile.x}}; message data wins at the top level, as in Courier.
  const context = { profile: recipient, ...data };
  const template = content.template;
  if (template) {
    if (channel === 'email' && template.email) {
      const { subject, html, text } = template.email;
      return {
        title: renderText(subject, context),
        text: text !== undefined ? renderText(text, context) : '',
        html: html !== undefined ? renderHtml(html, context) : text !== undefined ? textToHtml(text, context) : '',
      };
    }
    if (channel === 'sms' && template.sms) return { title: '', text: renderText(template.sms.body, context), html: '' };
    if (channel === 'push' && template.push) {
      const { title, body } = template.push;
      return { title: title ? renderText(title, context) : '', text: renderText(body, context), html: '' };
    }
    if (!template.default) throw new NoContentForChannel(`the template has no content for ${channel}`);
    return renderInline(template.default.title, template.default.body, context, channel);
  }
  return renderInline(content.title, content.body ?? '', context, channel);
}

function renderInline(title: string | undefined, body: string, context: object, channel: Channel): RenderedContent {
  return {
    title: title ? renderText(title, context) : '',
    text: renderText(body, context),
    html: channel === 'email' ? textToHtml(body, context) : '',
  };
}
