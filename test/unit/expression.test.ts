import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  ExpressionError,
  checkExpression,
  evaluate,
  evaluateCondition,
  parseExpression,
} from '../../domain/expression';

const context = {
  data: {
    plan: 'pro',
    total: 150,
    muted: false,
    items: [{ sku: 'a' }, { sku: 'b' }],
    tags: ['vip', 'beta'],
    name: '  Ada Lovelace ',
    key: 'plan',
    zero: 0,
    empty: '',
    nothing: null,
  },
  profile: { locale: 'en', email: 'ada@example.com' },
  refs: { data: { properties: { total: 100 } } },
};

const run = (source: string, ctx: Record<string, unknown> = context): unknown => evaluate(parseExpression(source), ctx);

/** The ExpressionError that `action` throws (fails the test when it throws nothing or something else). */
function expressionErrorOf(action: () => unknown): ExpressionError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError, but nothing was thrown');
}

describe('Courier-style conditions', () => {
  it.each([
    ["data.plan === 'pro'", true],
    ['profile.locale == "en" && data.total > 100', true],
    ['refs.data.properties.total >= 100', true],
    ['!data.muted', true],
    ['data.items.length > 0', true],
    ["data.tags.includes('vip')", true],
    ["data.plan === 'basic'", false],
    ['refs.data.properties.total > 100', false],
    ["data.tags.includes('gold')", false],
  ])('%s → %s', (source, expected) => {
    expect(evaluateCondition(source, context)).toBe(expected);
    expect(evaluateCondition(parseExpression(source), context)).toBe(expected);
  });

  it('evaluates to a value, not only to a boolean', () => {
    expect(run('data.total * 2 - 50')).toBe(250);
    expect(run('data.total % 7')).toBe(150 % 7);
    expect(run('data.total / 4')).toBe(37.5);
    expect(run("data.plan + '-' + data.total")).toBe('pro-150');
    expect(run('-data.total')).toBe(-150);
    expect(run("+'42'")).toBe(42);
    expect(run("data.total > 100 ? 'big' : 'small'")).toBe('big');
    expect(run('data.missing ?? data.zero ?? 5')).toBe(0);
    expect(run("data.zero || 'fallback'")).toBe('fallback');
    expect(run("data.plan && 'yes'")).toBe('yes');
    expect(run('[1, data.total, "x"]')).toEqual([1, 150, 'x']);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('true')).toBe(true);
    expect(run('null')).toBeNull();
    expect(run('undefined')).toBeUndefined();
    expect(run('1.5e3')).toBe(1500);
    expect(run("'it\\'s'")).toBe("it's");
  });

  it('reads members by name, by string and by index, including optional-chaining syntax', () => {
    expect(run("data['plan']")).toBe('pro');
    expect(run('data[data.key]')).toBe('pro');
    expect(run('data.items[1].sku')).toBe('b');
    expect(run("data.items[0]['sku']")).toBe('a');
    expect(run('data?.items?.[0]?.sku')).toBe('a');
    expect(run('data.tags[data.items.length - 1]')).toBe('beta');
    expect(run('data.plan.length')).toBe(3);
    expect(run('data.plan[0]')).toBe('p');
    expect(run('data.tags.length')).toBe(2);
  });

  it('supports JS loose equality between primitives only', () => {
    expect(run("data.total == '150'")).toBe(true);
    expect(run("data.total != '150'")).toBe(false);
    expect(run('data.nothing == undefined')).toBe(true);
    expect(run('data.zero == false')).toBe(true);
    expect(run("data.total === '150'")).toBe(false);
    // Objects compare by identity, never through their string conversion.
    expect(run("data.tags == 'vip,beta'")).toBe(false);
    expect(run('data.items == data.items')).toBe(true);
  });
});

describe('truthiness', () => {
  it.each([
    ['data.zero', false],
    ['data.empty', false],
    ['data.nothing', false],
    ['data.missing', false],
    ["'' + data.nothing", true], // 'null'
    ['0 / 0', false], // NaN
    ['data.total', true],
    ['data.tags', true],
    ['[]', true],
    ['data.items[0]', true],
    ["'false'", true],
  ])('%s → %s', (source, expected) => {
    expect(evaluateCondition(source, context)).toBe(expected);
  });
});

describe('missing paths and ragged data', () => {
  it.each([
    'data.a.b.c.d',
    'nobody.here',
    'data.total.digits',
    'data.nothing.x',
    'data.nothing[0]',
    'data.items[9].sku',
    'data.items[-1]',
    'data.tags[1.5]',
    'data.plan[10]',
    'undefined.x',
    'null.x',
    "data.missing.includes('x')",
    'data.total.toLowerCase()',
    "data.items.startsWith('a')",
    'data.missing.length',
    'data[data.missing]',
    'data[data.items]',
  ])('%s is undefined and never throws', (source) => {
    expect(run(source)).toBeUndefined();
    expect(evaluateCondition(source, context)).toBe(false);
  });

  it('tolerates a context that is not an object', () => {
    expect(evaluateCondition('data.plan', null as unknown as Record<string, unknown>)).toBe(false);
    expect(evaluateCondition('!data', undefined as unknown as Record<string, unknown>)).toBe(true);
  });

  it('reads only own data properties of plain objects and arrays', () => {
    const inherited = Object.create({ secret: 's' }) as Record<string, unknown>;
    inherited.own = 'o';
    class Account {
      tier = 'gold';
    }
    let getterRan = false;
    const withGetter = {
      get lazy() {
        getterRan = true;
        return 'computed';
      },
    };
    const ctx = {
      inherited,
      account: new Account(),
      when: new Date(0),
      map: new Map([['a', 1]]),
      withGetter,
      bare: Object.assign(Object.create(null) as Record<string, unknown>, { x: 1 }),
      fn: Object.assign(() => 1, { prop: 1 }),
    };
    // An object with its own prototype chain is not plain: nothing on it is readable, own or inherited.
    expect(run('inherited.own', ctx)).toBeUndefined();
    expect(run('inherited.secret', ctx)).toBeUndefined();
    // The context itself may be any object, but only its own properties are names.
    expect(run('own', inherited)).toBe('o');
    expect(run('secret', inherited)).toBeUndefined();
    expect(run('account.tier', ctx)).toBeUndefined();
    expect(run('when.getTime', ctx)).toBeUndefined();
    expect(run('map.size', ctx)).toBeUndefined();
    expect(run('withGetter.lazy', ctx)).toBeUndefined();
    expect(getterRan).toBe(false);
    expect(run('bare.x', ctx)).toBe(1);
    expect(run('fn.prop', ctx)).toBeUndefined();
    expect(run('fn.name', ctx)).toBeUndefined();
  });

  it('resolves identifiers only from the context, never from globals or prototypes', () => {
    for (const name of ['process', 'globalThis', 'Math', 'JSON', 'Object', 'require', 'toString', 'hasOwnProperty']) {
      expect(run(name)).toBeUndefined();
    }
    expect(run('valueOf', Object.create({ valueOf: 1 }) as Record<string, unknown>)).toBeUndefined();
    expect(run('data.toString')).toBeUndefined();
    expect(run('data.hasOwnProperty')).toBeUndefined();
    expect(run('data.tags.map')).toBeUndefined();
    expect(run('data.plan.toUpperCase')).toBeUndefined();
    expect(run('Math', { Math: 'mine' })).toBe('mine');
  });

  it('does not throw on odd primitive mixes', () => {
    const ctx = { big: 10n, sym: Symbol('s') };
    expect(run('big + 1', ctx)).toBeUndefined(); // a TypeError in JS
    expect(run('+big', ctx)).toBeUndefined(); // a TypeError in JS
    expect(run('big > 1', ctx)).toBe(true);
    expect(run('sym + 1', ctx)).toBeUndefined();
    expect(run('sym == 1', ctx)).toBe(false);
    expect(run("data.tags + 'x'")).toBeUndefined();
    expect(run('data.tags < 1')).toBe(false);
    expect(run('-data.items')).toBeUndefined();
  });
});

describe('short-circuit evaluation', () => {
  // Evaluating the right-hand side would throw: a computed `__proto__` access is forbidden at run time.
  const poisoned = "data['__pro' + 'to__']";

  it.each([
    `false && ${poisoned}`,
    `data.zero && ${poisoned}`,
    `true || ${poisoned}`,
    `data.plan || ${poisoned}`,
    `data.zero ?? ${poisoned}`,
    `data.total > 1 ? 'ok' : ${poisoned}`,
    `data.total < 1 ? ${poisoned} : 'ok'`,
  ])('%s does not evaluate the untaken side', (source) => {
    expect(() => run(source)).not.toThrow();
  });

  it('does evaluate the taken side', () => {
    expect(() => run(`true && ${poisoned}`)).toThrow(ExpressionError);
    expect(() => run(`data.missing ?? ${poisoned}`)).toThrow(ExpressionError);
    expect(() => run(`data.zero ? 1 : ${poisoned}`)).toThrow(ExpressionError);
  });
});

describe('method whitelist', () => {
  it('calls the allowed string and array methods', () => {
    expect(run("data.tags.includes('beta')")).toBe(true);
    expect(run("data.tags.includes('vip', 1)")).toBe(false);
    expect(run("data.plan.includes('r')")).toBe(true);
    expect(run("profile.email.endsWith('@example.com')")).toBe(true);
    expect(run("profile.email.startsWith('ada')")).toBe(true);
    expect(run("profile.email.startsWith('lovelace', 4)")).toBe(false);
    expect(run('data.name.trim()')).toBe('Ada Lovelace');
    expect(run('data.name.trim().toLowerCase()')).toBe('ada lovelace');
    expect(run("data.name.toUpperCase().includes('LOVE')")).toBe(true);
    expect(run("data['plan']['includes']('p')")).toBe(true);
    expect(run("['US', 'CA'].includes(profile.country ?? 'US')")).toBe(true);
    expect(run("'abc'.length")).toBe(3);
  });

  it('gives undefined for an allowed method on the wrong kind of value', () => {
    expect(run("data.tags.startsWith('v')")).toBeUndefined();
    expect(run('data.tags.trim()')).toBeUndefined();
    expect(run("data.total.includes('1')")).toBeUndefined();
    expect(run("data.items[0].includes('a')")).toBeUndefined();
    expect(run('data.plan.includes(data.tags)')).toBeUndefined();
    expect(run("data.plan.includes('p', 'x')")).toBeUndefined();
  });

  it('never dispatches to a method found on the data', () => {
    const ctx = { data: { includes: () => 'hijacked', list: Object.assign(['a'], { includes: () => 'hijacked' }) } };
    expect(run("data.includes('x')", ctx)).toBeUndefined();
    expect(run("data.list.includes('a')", ctx)).toBe(true);
  });

  it.each([
    ['data.toString()', 5, /Calling 'toString' is not allowed/],
    ['process.exit()', 8, /Calling 'exit' is not allowed/],
    ['data.tags.map(x)', 10, /Calling 'map' is not allowed/],
    ['data.plan.replace("p", "q")', 10, /Calling 'replace' is not allowed/],
    ['data.tags.join()', 10, /Calling 'join' is not allowed/],
    ['foo()', 0, /Calling 'foo' is not allowed/],
    ['f()()', 0, /Only these methods can be called/],
    ['data[data.key]()', 5, /Computed method calls are not allowed/],
    ['data.trim(1)', 5, /'trim' takes no arguments/],
    ['data.includes()', 5, /'includes' takes 1 or 2 arguments/],
    ["data.includes('a', 1, 2)", 5, /'includes' takes 1 or 2 arguments/],
  ])('refuses %s at parse time', (source, position, message) => {
    const error = expressionErrorOf(() => parseExpression(source));
    expect(error.message).toMatch(message);
    expect(error.position).toBe(position);
  });
});

describe('forbidden constructs', () => {
  it.each([
    ['data.constructor', 5, /Access to 'constructor' is not allowed/],
    ['data.__proto__', 5, /Access to '__proto__' is not allowed/],
    ['data.items.prototype', 11, /Access to 'prototype' is not allowed/],
    ['constructor', 0, /Access to 'constructor' is not allowed/],
    ["data['constructor']", 5, /Access to 'constructor' is not allowed/],
    ['data["__proto__"].polluted', 5, /Access to '__proto__' is not allowed/],
    ["data.plan.constructor('return process')", 10, /Access to 'constructor' is not allowed/],
    ['data?.constructor', 6, /Access to 'constructor' is not allowed/],
    ['x = 1', 2, /Assignment is not allowed/],
    ['data.plan = 1', 10, /Assignment is not allowed/],
    ['x += 1', 3, /Assignment is not allowed/],
    ['() => 1', 3, /Arrow functions are not allowed/],
    ['x => x', 2, /Arrow functions are not allowed/],
    ['new Date()', 0, /'new' is not allowed/],
    ['this', 0, /'this' is not allowed/],
    ['this.data', 0, /'this' is not allowed/],
    ['`a${data.plan}`', 0, /Template literals are not allowed/],
    ['typeof data', 0, /'typeof' is not allowed/],
    ["data.country in ['US', 'CA']", 13, /'in' is not allowed/],
    ['data instanceof Object', 5, /'instanceof' is not allowed/],
    ['delete data.plan', 0, /'delete' is not allowed/],
    ['void 0', 0, /'void' is not allowed/],
    ['function () { return 1 }', 0, /'function' is not allowed/],
    ['{ a: 1 }', 0, /Object literals and blocks are not allowed/],
    ['data.total | 1', 11, /Operator '\|' is not allowed/],
    ['data.total & 1', 11, /Operator '&' is not allowed/],
    ['data.total ^ 1', 11, /Operator '\^' is not allowed/],
    ['data.total << 1', 11, /Operator '<<' is not allowed/],
    ['data.total >>> 1', 11, /Operator '>>>' is not allowed/],
    ['data.total ** 2', 11, /Operator '\*\*' is not allowed/],
    ['~data.total', 0, /Operator '~' is not allowed/],
    ['(data.plan, data.total)', 12, /Comma expressions are not allowed/],
    ['data.plan; data.total', 11, /Expected an operator or the end of the expression/],
    ["'\\u0041' === 'A'", 1, /Unsupported escape sequence/],
  ])('refuses %s', (source, position, message) => {
    const error = expressionErrorOf(() => parseExpression(source));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(new RegExp(`at character ${position}$`));
    expect(error.position).toBe(position);
    expect(checkExpression(source)).toEqual({ ok: false, message: error.message, position });
  });

  it('refuses a forbidden key computed at run time', () => {
    const compiled = parseExpression("a['__pro' + 'to__']");
    const error = expressionErrorOf(() => evaluate(compiled, { a: {} }));
    expect(error.message).toBe("Access to '__proto__' is not allowed at character 2");
    expect(error.position).toBe(2);
    // Even when the object is missing: the refusal does not depend on the data being there.
    expect(() => evaluate(compiled, {})).toThrow(ExpressionError);
    for (const key of ['constructor', 'prototype', '__proto__']) {
      expect(() => evaluate(parseExpression('data[data.k]'), { data: { k: key } })).toThrow(ExpressionError);
      expect(() => evaluateCondition('data[data.k]', { data: { k: key } })).toThrow(/is not allowed/);
    }
    expect(() => run("data.items[0]['constr' + 'uctor']")).toThrow(/Access to 'constructor' is not allowed/);
  });

  it('still refuses forbidden keys in a hand-made tree', () => {
    const forged = {
      source: 'x',
      root: { kind: 'member', object: { kind: 'identifier', name: 'data' }, key: 'constructor' },
    };
    expect(() => evaluate(forged as never, context)).toThrow(ExpressionError);
    expect(() => evaluate({} as never, context)).toThrow(/Not a compiled expression/);
    expect(() => evaluate({ source: 'x', root: { kind: 'eval' } } as never, context)).toThrow(ExpressionError);
  });
});

describe('syntax errors', () => {
  it.each([
    ["data.plan === 'pro", 18, /Unclosed quote/],
    ['data.plan === ', 14, /Unexpected end of expression/],
    ['(data.plan', 10, /Unclosed \(/],
    ['data.tags[0', 11, /Unclosed \[/],
    ['data..plan', 5, /Unexpected \./],
    ['data.plan ===== 1', 13, /Expected expression after ===/],
    ['1 +* 2', 3, /Expected expression after \+/],
    ['data.total > 1 ?', 16, /Unexpected end of expression|Expected expression/],
    ['data.total > 1 ? 1', 18, /Expected :/],
    ['data plan', 5, /Expected an operator or the end of the expression/],
    ['12abc', 2, /Variable names cannot start with a number/],
    ['data.', 5, /Unexpected end of expression/],
  ])('reports %s with its position', (source, position, message) => {
    const error = expressionErrorOf(() => parseExpression(source));
    expect(error.message).toMatch(message);
    expect(error.position).toBe(position);
    expect(error.message.endsWith(`at character ${position}`)).toBe(true);
  });

  it('refuses an empty expression and a non-string', () => {
    expect(checkExpression('')).toEqual({ ok: false, message: 'Expression is empty' });
    expect(checkExpression('   ')).toEqual({ ok: false, message: 'Expression is empty' });
    expect(checkExpression(42 as unknown as string)).toEqual({ ok: false, message: 'Expression must be a string' });
  });

  it('throws the same ExpressionError from evaluateCondition given a source string', () => {
    expect(() => evaluateCondition('data.plan ===', context)).toThrow(ExpressionError);
  });

  it('reports success for a valid expression', () => {
    expect(checkExpression("data.plan === 'pro' && !data.muted")).toEqual({ ok: true });
  });

  it('is a proper, recognisable error class', () => {
    const error = expressionErrorOf(() => parseExpression('x = 1'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ExpressionError');
    expect(String(error)).toBe('ExpressionError: Assignment is not allowed at character 2');
    expect(new ExpressionError('plain').position).toBeUndefined();
    expect(new ExpressionError('plain').message).toBe('plain');
  });
});

describe('limits', () => {
  it(`accepts ${MAX_EXPRESSION_LENGTH} characters and refuses one more`, () => {
    const filler = (length: number) => `'${'x'.repeat(length - 2)}'`;
    expect(checkExpression(filler(MAX_EXPRESSION_LENGTH))).toEqual({ ok: true });
    const error = expressionErrorOf(() => parseExpression(filler(MAX_EXPRESSION_LENGTH + 1)));
    expect(error.message).toMatch(/longer than 2000 characters/);
  });

  it(`accepts ${MAX_EXPRESSION_DEPTH} levels of nesting and refuses more`, () => {
    const nested = (levels: number) => '('.repeat(levels) + '1' + ')'.repeat(levels);
    expect(run(nested(MAX_EXPRESSION_DEPTH - 1))).toBe(1);
    expect(expressionErrorOf(() => parseExpression(nested(MAX_EXPRESSION_DEPTH + 1))).position).toBe(
      MAX_EXPRESSION_DEPTH,
    );

    const negations = (count: number) => '!'.repeat(count) + 'data';
    expect(run(negations(MAX_EXPRESSION_DEPTH - 1))).toBe(false);
    expect(() => parseExpression(negations(MAX_EXPRESSION_DEPTH))).toThrow(/nested more than 64 levels/);

    const sum = (terms: number) => Array.from({ length: terms }, () => '1').join(' + ');
    expect(run(sum(MAX_EXPRESSION_DEPTH))).toBe(MAX_EXPRESSION_DEPTH);
    expect(() => parseExpression(sum(MAX_EXPRESSION_DEPTH + 1))).toThrow(/nested more than 64 levels/);

    const path = (links: number) => 'data' + '.x'.repeat(links);
    expect(checkExpression(path(MAX_EXPRESSION_DEPTH - 1))).toEqual({ ok: true });
    expect(() => parseExpression(path(MAX_EXPRESSION_DEPTH))).toThrow(ExpressionError);
  });

  it.each([
    ['parentheses', '('.repeat(999) + '1' + ')'.repeat(999)],
    ['brackets', '['.repeat(999) + ']'.repeat(999)],
    ['calls', 'data.plan.includes('.repeat(100).slice(0, MAX_EXPRESSION_LENGTH)],
    ['negations', '!'.repeat(MAX_EXPRESSION_LENGTH - 1) + 'a'],
    ['unary minus', '- '.repeat(MAX_EXPRESSION_LENGTH / 2 - 1) + '1'],
    ['ternaries', 'a?'.repeat(499) + 'a' + ':a'.repeat(499)],
    ['a long sum', Array.from({ length: 666 }, () => 'a').join('+')],
    ['a long path', 'a' + '.b'.repeat(999)],
  ])('refuses pathological %s cleanly, without overflowing the stack', (_, source) => {
    expect(source.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    const error = expressionErrorOf(() => parseExpression(source));
    expect(error.message).not.toMatch(/call stack/i);
  });
});

describe('prototype pollution', () => {
  const snapshot = () => ({
    object: Object.getOwnPropertyNames(Object.prototype).sort(),
    array: Object.getOwnPropertyNames(Array.prototype).sort(),
    string: Object.getOwnPropertyNames(String.prototype).sort(),
    fn: Object.getOwnPropertyNames(Function.prototype).sort(),
  });

  it('leaves the built-in prototypes untouched whatever is tried', () => {
    const before = snapshot();
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "k": "__proto__", "c": "constructor"}') as Record<
      string,
      unknown
    >;
    const attempts = [
      'data.__proto__.polluted = true',
      "data['__proto__']['polluted'] = 1",
      'data[data.k].polluted',
      "data[data.c]['prototype'].polluted",
      'data.tags[data.c][data.k]',
      'data.constructor.prototype.polluted = 1',
      "data['constr' + 'uctor']['proto' + 'type']['polluted']",
      '__proto__.polluted',
      'constructor.constructor("return process")()',
      'data.plan.constructor.prototype.includes',
      '[].constructor.prototype.polluted',
      'data.toString.call(1)',
      'Object.assign(Object.prototype, { polluted: 1 })',
      'Object.defineProperty(Object.prototype, "polluted", { value: 1 })',
      'data.hijack = data.__defineGetter__',
    ];
    for (const source of attempts) {
      for (const data of [hostile, context.data]) {
        try {
          evaluate(parseExpression(source), { data });
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
        }
      }
    }
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    // The hostile object's own `__proto__` key is data, but it is still not readable.
    expect(() => run('data[data.k]', { data: hostile })).toThrow(ExpressionError);
  });

  it('cannot change the context either', () => {
    const data = { plan: 'pro', tags: ['vip'] };
    const frozenCopy = JSON.stringify(data);
    for (const source of ["data.plan = 'free'", 'data.tags.push(1)', 'data.tags.length = 0', 'delete data.plan']) {
      expect(checkExpression(source).ok).toBe(false);
    }
    evaluate(parseExpression("data.tags.includes('vip') && data.plan.toUpperCase()"), { data });
    expect(JSON.stringify(data)).toBe(frozenCopy);
  });
});

describe('compiled expressions', () => {
  it('are frozen, reusable and deterministic', () => {
    const compiled = parseExpression("data.plan === 'pro' && data.tags.includes('vip')");
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(compiled.root)).toBe(true);
    expect(compiled.source).toBe("data.plan === 'pro' && data.tags.includes('vip')");
    for (let i = 0; i < 3; i++) {
      expect(evaluateCondition(compiled, context)).toBe(true);
      expect(evaluateCondition(compiled, { data: { plan: 'pro', tags: [] } })).toBe(false);
    }
    expect(JSON.stringify(parseExpression('a + b * c'))).toBe(JSON.stringify(parseExpression('a + b * c')));
  });
});

describe('workflow sandbox compatibility', () => {
  it('uses no Node built-ins, eval or Function in the module source', () => {
    const withComments = readFileSync(join(__dirname, '../../domain/expression.ts'), 'utf8');
    const source = withComments.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    expect(imports).toEqual(['jsep']);
    expect(source).not.toMatch(/\beval\(|new Function\b|require\(|\bvm\b|Date\.now|Math\.random/);
  });

  it('bundles into a Temporal workflow', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/expression-workflow'),
      logger: silentLogger(),
    });
    expect(code).toContain('expressionWorkflow');
    expect(code).toContain('JavaScript Expression Parser (JSEP)');
  }, 60_000);
});

/** Keeps webpack's progress lines out of the test output; warnings and errors still fail or show. */
function silentLogger() {
  const ignore = () => undefined;
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
    error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
    log: ignore,
  };
}
