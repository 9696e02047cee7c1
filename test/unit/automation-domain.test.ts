import { checkAutomation, mergeObjects, parseDuration, parseUntil, resolveRefs } from '../../domain/automation';

describe('automation definitions', () => {
  it('reads ISO-8601 and text durations, and refuses what does not read', () => {
    expect(parseDuration('PT2H')).toBe(7_200_000);
    expect(parseDuration('P1DT30M')).toBe(86_400_000 + 1_800_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(parseDuration('5 minutes')).toBe(300_000);
    expect(parseDuration('1 day 2 hours')).toBe(93_600_000);
    expect(parseDuration('90 seconds')).toBe(90_000);
    for (const bad of ['P', 'PT', 'P1M', 'soon', '5 fortnights', '']) expect(parseDuration(bad)).toBeUndefined();
  });

  it("reads ISO times and Courier's compact form", () => {
    expect(parseUntil('2026-12-01T08:00:00Z')).toBe(Date.UTC(2026, 11, 1, 8));
    expect(parseUntil('20240408T080910.123')).toBe(Date.UTC(2024, 3, 8, 8, 9, 10, 123));
    expect(parseUntil('next tuesday')).toBeUndefined();
  });

  it('merges with the four strategies', () => {
    const current = { a: 1, b: 1 };
    const incoming = { b: 2, c: 2 };
    expect(mergeObjects(current, incoming, 'replace')).toEqual({ b: 2, c: 2 });
    expect(mergeObjects(current, incoming, 'overwrite')).toEqual({ a: 1, b: 2, c: 2 });
    expect(mergeObjects(current, incoming, 'soft-merge')).toEqual({ a: 1, b: 1, c: 2 });
    expect(mergeObjects(current, incoming, 'none')).toEqual({ a: 1, b: 1 });
    expect(mergeObjects({}, incoming, 'none')).toEqual({ b: 2, c: 2 });
  });

  it('resolves $ref accessors and refs.* strings, own properties only', () => {
    const scope = { data: { order: { total: 149.99 } }, recipient: 'u1', refs: { data: { order: { total: 149.99 } } } };
    expect(resolveRefs({ to: { user_id: { $ref: 'recipient' } }, total: { $ref: 'data.order.total' } }, scope)).toEqual(
      {
        to: { user_id: 'u1' },
        total: 149.99,
      },
    );
    expect(resolveRefs('refs.data.order.total', scope)).toBe(149.99);
    expect(resolveRefs({ $ref: 'data.toString' }, scope)).toBeUndefined();
    expect(resolveRefs({ $ref: 'data.__proto__' }, scope)).toBeUndefined();
    expect(resolveRefs('plain text', scope)).toBe('plain text');
  });

  it('names the step and the reason for what is wrong', () => {
    const problems = checkAutomation({
      steps: [
        { action: 'delay', duration: 'PT1H' },
        { action: 'explode' },
        { action: 'send', template: 'T', if: 'data.total >' },
        { action: 'add-to-batch' },
        { action: 'update-profile', profile: {}, ref: 'data' },
        { action: 'fetch-data', webhook: { url: 'ftp://x' } },
        { action: 'delay', duration: 'whenever' },
      ],
    });
    expect(problems.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(problems[0].message).toBe('unknown action "explode"');
    expect(problems[1].message).toMatch(/^if does not parse/);
    expect(problems[2].message).toContain('not supported by Herald yet');
    expect(problems[3].message).toContain('reserved');
    expect(checkAutomation({ steps: [] })).toEqual([
      { step: -1, message: 'automation.steps must be a non-empty array' },
    ]);
  });
});
