import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoContentForChannel, renderContent } from '../../domain/render';
import type { Template } from '../../domain/template';

const orderConfirmation = JSON.parse(
  readFileSync(join(__dirname, '../../examples/templates/ORDER_CONFIRMATION.json'), 'utf8'),
) as Template;

const order = {
  customer_name: 'Ada <Lovelace>',
  order_id: 'ORD-9876',
  total: 1234.5,
  items: [
    { name: 'Tea & biscuits', qty: 2 },
    { name: 'Teapot', qty: 1 },
  ],
};

describe('rendering a template per channel', () => {
  const content = { template: orderConfirmation.content };

  it('renders the ORDER_CONFIRMATION email with every item, the total as money, and HTML escaped', () => {
    const email = renderContent(content, order, { user_id: 'u1' }, 'email');
    expect(email.title).toBe('Your order ORD-9876 is confirmed');
    expect(email.text).toContain('Hi Ada <Lovelace>,');
    expect(email.text).toContain('- 2 x Tea & biscuits\n- 1 x Teapot\n');
    expect(email.text).toContain('Total: $1,234.50');
    expect(email.html).toContain('<p>Hi Ada &lt;Lovelace&gt;,</p>');
    expect(email.html).toContain('<tr><td>Tea &amp; biscuits</td><td align="right">2</td></tr>');
    expect(email.html).toContain('<tr><td>Teapot</td><td align="right">1</td></tr>');
  });

  it('renders the ORDER_CONFIRMATION SMS on one line', () => {
    const sms = renderContent(content, order, {}, 'sms');
    expect(sms.text).toBe(
      'Hi Ada <Lovelace>, order ORD-9876 is confirmed: 2x Tea & biscuits, 1x Teapot. Total $1,234.50.',
    );
    expect(sms.html).toBe('');
  });

  it('uses the default block for channels without their own, and refuses a channel with neither', () => {
    const withDefault = { template: { default: { title: 'Hi {{profile.name}}', body: 'Order {{order_id}}' } } };
    expect(renderContent(withDefault, order, { name: 'Ada' }, 'push')).toEqual({
      title: 'Hi Ada',
      text: 'Order ORD-9876',
      html: '',
    });
    expect(() => renderContent({ template: { sms: { body: 'x' } } }, order, {}, 'email')).toThrow(NoContentForChannel);
  });

  it('formats currencies and dates with options, and leaves values that are not numbers or dates alone', () => {
    const body =
      '{{currency a "EUR" locale="de-DE"}}|{{currency b currency="JPY"}}|{{currency c}}|{{date d}}|{{date d "long"}}|' +
      '{{date d style="short" timeZone="America/New_York"}}|{{date e}}';
    const out = renderContent(
      { body },
      { a: 1234.5, b: '500', c: 'n/a', d: '2026-03-01T02:30:00Z', e: 'someday' },
      {},
      'sms',
    );
    expect(out.text).toBe('1.234,50\u00a0€|¥500|n/a|Mar 1, 2026|March 1, 2026|2/28/26|someday');
  });
});
