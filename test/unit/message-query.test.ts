import { parse } from 'node:querystring';
import {
  decodeCursor,
  encodeCursor,
  parseHistoryQuery,
  parseMessageListQuery,
  sentByClassicClient,
  type RawQuery,
} from '../../apps/gateway/messages/message-query';
import { ApiError } from '../../apps/gateway/errors/api-error';

/** What Fastify hands the controller for a raw query string: decoded once, repeated keys as arrays. */
const received = (search: string): RawQuery => parse(search.replace(/^\?/, '')) as RawQuery;

/** The classic v5 client's URL building, as it does it: URLSearchParams (unset → "undefined"), then encodeURI. */
function v5Search(params: Record<string, unknown>): string {
  return encodeURI(String(new URLSearchParams(params as Record<string, string>)));
}

function badRequest(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).type).toBe('invalid_request_error');
    return error as ApiError;
  }
  throw new Error('expected a 400');
}

describe('GET /messages query parsing', () => {
  const expected = {
    filter: { statuses: ['SENT', 'DELIVERED'], recipient: 'ada@example.com', tags: ['a', 'b c'] },
  };

  it('reads the v7 comma format', () => {
    // qs with arrayFormat "comma" encodes the joined value: status=SENT%2CDELIVERED.
    const query = received('status=SENT%2CDELIVERED&recipient=ada%40example.com&tag=a%2Cb%20c&archived=false');
    expect(parseMessageListQuery(query)).toEqual({ filter: { ...expected.filter, archived: false } });
  });

  it('reads the v6 repeated keys', () => {
    const query = received('status=SENT&status=DELIVERED&recipient=ada%40example.com&tag=a&tag=b%20c');
    expect(parseMessageListQuery(query)).toEqual(expected);
  });

  it('reads the v5 double-encoded commas and ignores its literal "undefined"', () => {
    const search = v5Search({
      cursor: undefined,
      event: undefined,
      list: undefined,
      messageId: undefined,
      notification: undefined,
      recipient: 'ada@example.com',
      status: ['SENT', 'DELIVERED'],
      tags: ['a', 'b c'],
      traceId: undefined,
    });
    expect(search).toContain('status=SENT%252CDELIVERED');
    expect(search).toContain('cursor=undefined');
    expect(search).toContain('recipient=ada%2540example.com');
    // Even without knowing the client, a leftover %2C is decoded once more (the contract's rule).
    const anonymous = parseMessageListQuery(received(search));
    expect(anonymous.filter.statuses).toEqual(['SENT', 'DELIVERED']);
    expect(anonymous.filter.tags).toEqual(['a', 'b c']);
    // Knowing it is v5 (its user agent), every value is decoded once more, the recipient's @ too.
    expect(parseMessageListQuery(received(search), { doubleEncoded: true })).toEqual(expected);
  });

  it('treats empty and "undefined" as absent, and mixes encodings of one parameter', () => {
    expect(parseMessageListQuery(received('status=&recipient=undefined&tags=&provider=undefined'))).toEqual({
      filter: {},
    });
    expect(
      parseMessageListQuery(received('status=sent,undefined&status=DELIVERED&provider=twilio&provider=sendgrid,smtp'))
        .filter,
    ).toEqual({ statuses: ['SENT', 'DELIVERED'], providers: ['twilio', 'sendgrid', 'smtp'] });
  });

  it('merges tag and tags into one any-match list', () => {
    expect(parseMessageListQuery(received('tag=a&tag=b&tags=b,c')).filter.tags).toEqual(['a', 'b', 'c']);
  });

  it('reads the single-valued filters', () => {
    const query = received(
      'event=WELCOME&notification=TEMPLATE1&traceId=t-1&messageId=1-abc&enqueued_after=1700000000000&list=l1&tenant_id=t1&archived=true',
    );
    expect(parseMessageListQuery(query).filter).toEqual({
      event: 'WELCOME',
      notification: 'TEMPLATE1',
      traceId: 't-1',
      messageId: '1-abc',
      enqueuedAfter: 1700000000000,
      list: 'l1',
      tenantId: 't1',
      archived: true,
    });
  });

  it('refuses a bad enqueued_after or archived with 400', () => {
    expect(badRequest(() => parseMessageListQuery(received('enqueued_after=yesterday'))).message).toMatch(
      /enqueued_after/,
    );
    badRequest(() => parseMessageListQuery(received('enqueued_after=-5')));
    badRequest(() => parseMessageListQuery(received('enqueued_after=99999999999999999999')));
    badRequest(() => parseMessageListQuery(received('archived=maybe')));
  });

  it('recognises the classic client by its user agent', () => {
    expect(sentByClassicClient('courier-node/5.7.0')).toBe(true);
    expect(sentByClassicClient('Courier/JS 7.10.2')).toBe(false);
    expect(sentByClassicClient(undefined)).toBe(false);
  });
});

describe('cursors', () => {
  const position = { enqueued: 1589490000000, id: '1-5e2b2615-05efbb3acab9172f88dd3f6f' };

  it('are base64 of "<enqueued>,<id>" and read back', () => {
    const cursor = encodeCursor(position);
    expect(Buffer.from(cursor, 'base64').toString()).toBe('1589490000000,1-5e2b2615-05efbb3acab9172f88dd3f6f');
    expect(cursor.startsWith('MTU4OTQ5')).toBe(true);
    expect(decodeCursor(cursor)).toEqual(position);
    expect(parseMessageListQuery(received(`cursor=${encodeURIComponent(cursor)}`))).toEqual({
      filter: {},
      after: position,
    });
  });

  it('survive every SDK encoding: qs, double encoding, a + turned into a space', () => {
    // An id whose cursor has +, / and = in it.
    const tricky = { enqueued: 1700000000123, id: '1-65536b00-fbfbfbfbfbfbfbfbfbfbfbfb~?>' };
    const cursor = encodeCursor(tricky);
    expect(cursor).toMatch(/[+/=]/);
    expect(parseMessageListQuery(received(`cursor=${encodeURIComponent(cursor)}`)).after).toEqual(tricky);
    const v5 = v5Search({ cursor, status: undefined });
    expect(parseMessageListQuery(received(v5), { doubleEncoded: true }).after).toEqual(tricky);
    expect(parseMessageListQuery(received(v5)).after).toEqual(tricky); // a leftover % is never base64
    expect(decodeCursor(cursor.replace(/\+/g, ' '))).toEqual(tricky);
  });

  it('refuse anything else with 400', () => {
    for (const bad of ['not a cursor', '%%%', Buffer.from('abc,1-x').toString('base64'), 'bm9jb21tYQ==']) {
      expect(badRequest(() => parseMessageListQuery({ cursor: bad })).message).toMatch(/cursor/);
    }
  });
});

describe('GET /messages/{id}/history query parsing', () => {
  it('keeps the requested types, in any encoding, and nothing for undefined', () => {
    expect(parseHistoryQuery(received('type=delivered'))).toEqual({ types: ['DELIVERED'] });
    expect(parseHistoryQuery(received('type=SENT&type=DELIVERED'))).toEqual({ types: ['SENT', 'DELIVERED'] });
    expect(parseHistoryQuery(received('type=undefined'))).toEqual({});
    expect(parseHistoryQuery({})).toEqual({});
  });
});
