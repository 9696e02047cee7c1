import { formatMessageId, isMessageId } from '../../domain/ids';
import { checkTemplateSyntax, renderContent } from '../../domain/render';

describe('formatMessageId', () => {
  it("uses Courier's 1-<hex seconds>-<24 hex> shape", () => {
    const id = formatMessageId(Date.UTC(2026, 10, 27) + 999, 'a'.repeat(24));
    expect(id).toBe(`1-${(Date.UTC(2026, 10, 27) / 1000).toString(16)}-${'a'.repeat(24)}`);
    expect(isMessageId(id)).toBe(true);
  });

  it('refuses random parts that are not 24 hex characters', () => {
    expect(() => formatMessageId(0, 'xyz')).toThrow();
  });
});

describe('renderContent', () => {
  const content = { title: 'Order {{order_id}}', body: 'Hi {{profile.name}} & co.\n\nTrack: {{tracking_url}}' };
  const data = { order_id: 'A-1', tracking_url: 'https://t.example/A-1?x=1&y=2' };

  it('fills variables from data and the recipient, without HTML-escaping the text', () => {
    const rendered = renderContent(content, data, { name: 'Ada' }, 'sms');
    expect(rendered.title).toBe('Order A-1');
    expect(rendered.text).toBe('Hi Ada & co.\n\nTrack: https://t.example/A-1?x=1&y=2');
    expect(rendered.html).toBe('');
  });

  it('escapes values in the HTML part of an email and splits paragraphs', () => {
    const rendered = renderContent(content, data, { name: '<b>Ada</b>' }, 'email');
    expect(rendered.html).toBe(
      '<p>Hi &lt;b&gt;Ada&lt;/b&gt; & co.</p>\n<p>Track: https://t.example/A-1?x&#x3D;1&amp;y&#x3D;2</p>',
    );
  });

  it('leaves missing variables empty rather than failing the send', () => {
    expect(renderContent({ body: 'Hello {{missing}}!' }, {}, {}, 'sms').text).toBe('Hello !');
  });

  it('reports syntax errors with their position', () => {
    expect(() => checkTemplateSyntax('Hello {{#if x}}')).toThrow(/Parse error|Expecting/);
    expect(() => checkTemplateSyntax('Hello {{name}}')).not.toThrow();
  });
});
