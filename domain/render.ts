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

/** Each Handlebars compile gets its own environment so helpers registered later cannot leak between them. */
const handlebars = Handlebars.create();

/** Throws with Handlebars' own message (line and column) when a template does not parse. */
export function checkTemplateSyntax(source: string): void {
  handlebars.parse(source);
}

export function renderContent(
  content: MessageContent,
  data: Record<string, unknown>,
  recipient: Recipient,
  channel: Channel,
): RenderedContent {
  // Recipient fields are reachable as {{profile.x}}; message data wins at the top level, as in Courier.
  const context = { profile: recipient, ...data };
  const text = (source: string) => handlebars.compile(source, { noEscape: true, strict: false })(context);
  const title = content.title ? text(content.title) : '';
  const body = text(content.body ?? '');
  const html =
    channel === 'email'
      ? handlebars
          .compile(content.body ?? '', { strict: false })(context)
          .split(/\n{2,}/)
          .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
          .join('\n')
      : '';
  return { title, text: body, html };
}
