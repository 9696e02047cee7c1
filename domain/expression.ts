/**
 * Safe evaluation of Courier-style `if` conditions such as `data.plan === 'pro' && profile.locale == "en"`.
 *
 * The same module runs in the gateway (to reject a bad condition with its position), in activities and inside
 * workflow code, so it is pure: no Node built-ins, no `eval`/`Function`/`vm`, no mutable module state, and
 * nothing that depends on the clock, randomness or locale. `jsep` tokenises and parses; everything it produces is
 * checked against a small allow-list and turned into this module's own frozen tree, which a tiny interpreter walks.
 *
 * Rules, in short:
 * - identifiers are read only from the context's own properties (unknown ones are `undefined`);
 * - every member access behaves like optional chaining, and reads only own data properties of plain objects and
 *   arrays, plus `length` and indices of strings: nothing on a prototype is reachable;
 * - `__proto__`, `prototype` and `constructor` are refused anywhere, at parse time when written literally and at
 *   evaluation time when computed;
 * - the only calls are the methods in {@link allowedMethods}, dispatched by this module, never looked up on data;
 * - bad data shapes never throw (they give `undefined`, so a condition is false); only forbidden operations do.
 */
import jsep from 'jsep';

/** Longest source accepted, in UTF-16 code units. */
export const MAX_EXPRESSION_LENGTH = 2000;
/** Deepest syntax tree accepted, and deepest bracket nesting (checked first, so the parser cannot overflow). */
export const MAX_EXPRESSION_DEPTH = 64;

/** A syntax error or a forbidden construct. `position` is a 0-based character offset into the source, when known. */
export class ExpressionError extends Error {
  // Pinned so that bundling or minifying never changes what callers and logs see.
  override readonly name = 'ExpressionError';
  readonly position?: number;

  constructor(message: string, position?: number) {
    super(position === undefined ? message : `${message} at character ${position}`);
    if (position !== undefined) this.position = position;
  }
}

/** Method name → how many arguments it takes. Anything else cannot be called. */
export const allowedMethods = {
  includes: [1, 2],
  startsWith: [1, 2],
  endsWith: [1, 2],
  toLowerCase: [0, 0],
  toUpperCase: [0, 0],
  trim: [0, 0],
} as const satisfies Record<string, readonly [number, number]>;
export type AllowedMethod = keyof typeof allowedMethods;

type UnaryOperator = '!' | '-' | '+';
type LogicalOperator = '&&' | '||' | '??';
type BinaryOperator = '===' | '!==' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
type LiteralValue = string | number | boolean | null | undefined;

/** The checked tree that {@link evaluate} walks. Frozen; safe to cache and share. */
export type ExpressionNode =
  | { readonly kind: 'literal'; readonly value: LiteralValue }
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'member'; readonly object: ExpressionNode; readonly key: string }
  | {
      readonly kind: 'computed';
      readonly object: ExpressionNode;
      readonly key: ExpressionNode;
      readonly position?: number;
    }
  | {
      readonly kind: 'call';
      readonly receiver: ExpressionNode;
      readonly method: AllowedMethod;
      readonly args: readonly ExpressionNode[];
    }
  | { readonly kind: 'unary'; readonly operator: UnaryOperator; readonly argument: ExpressionNode }
  | {
      readonly kind: 'logical';
      readonly operator: LogicalOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
    }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
    }
  | {
      readonly kind: 'conditional';
      readonly test: ExpressionNode;
      readonly consequent: ExpressionNode;
      readonly alternate: ExpressionNode;
    }
  | { readonly kind: 'array'; readonly elements: readonly ExpressionNode[] };

export interface CompiledExpression {
  readonly source: string;
  readonly root: ExpressionNode;
}

export type ExpressionCheck = { ok: true } | { ok: false; message: string; position?: number };

const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);
const unaryOperators: ReadonlySet<string> = new Set<UnaryOperator>(['!', '-', '+']);
const logicalOperators: ReadonlySet<string> = new Set<LogicalOperator>(['&&', '||', '??']);
// prettier-ignore
const binaryOperators: ReadonlySet<string> = new Set<BinaryOperator>([
  '===', '!==', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%',
]);
/** Words that are JavaScript syntax, not names: jsep would read them as identifiers, so they are refused by name. */
const reservedWords: ReadonlySet<string> = new Set([
  'new', 'typeof', 'void', 'delete', 'in', 'instanceof', 'function', 'class', 'var', 'let', 'const', 'return',
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'throw', 'try', 'catch',
  'finally', 'yield', 'await', 'async', 'import', 'export', 'super', 'with', 'debugger', 'extends', 'enum',
]); // prettier-ignore

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

/** The instance side of jsep's parser class, as far as this module uses it (jsep exports the class untyped). */
interface JsepParserInstance {
  index: number;
  gobbleSpaces(): void;
  gobbleToken(): jsep.Expression | false | undefined;
  gobbleIdentifier(): jsep.Identifier;
  gobbleTokenProperty(node: jsep.Expression): jsep.Expression;
  gobbleBinaryOp(): string | false;
  gobbleBinaryExpression(): jsep.Expression | false | undefined;
  parse(): jsep.Expression;
}
const JsepParser = (jsep as unknown as { Jsep: new (source: string) => JsepParserInstance }).Jsep;

/**
 * jsep's parser, unchanged except that it remembers where each node starts (jsep's nodes carry no positions) and
 * refuses operators outside the allow-list where they stand. Overriding on a subclass keeps jsep's shared
 * configuration untouched: this module registers no plugin and no hook.
 */
class PositionedParser extends JsepParser {
  readonly starts = new WeakMap<object, number>();

  override gobbleToken(): jsep.Expression | false | undefined {
    this.gobbleSpaces();
    return this.remember(this.index, super.gobbleToken());
  }

  override gobbleIdentifier(): jsep.Identifier {
    const start = this.index;
    const node = super.gobbleIdentifier();
    this.starts.set(node, start);
    return node;
  }

  /**
   * Called with the start of every operand. A keyword there (`new Date()`, `x in [...]`, `typeof x`) is refused
   * before jsep reads what follows it as a call or an index, which would give a misleading error.
   */
  override gobbleTokenProperty(node: jsep.Expression): jsep.Expression {
    if (node.type === 'ThisExpression') throw new ExpressionError("'this' is not allowed", this.index - 'this'.length);
    const name = node.type === 'Identifier' ? (node as jsep.Identifier).name : undefined;
    if (name !== undefined && reservedWords.has(name)) {
      throw new ExpressionError(`'${name}' is not allowed`, this.starts.get(node));
    }
    return super.gobbleTokenProperty(node);
  }

  override gobbleBinaryExpression(): jsep.Expression | false | undefined {
    this.gobbleSpaces();
    return this.remember(this.index, super.gobbleBinaryExpression());
  }

  override gobbleBinaryOp(): string | false {
    this.gobbleSpaces();
    const start = this.index;
    const operator = super.gobbleBinaryOp();
    if (operator !== false && !binaryOperators.has(operator) && !logicalOperators.has(operator)) {
      throw new ExpressionError(`Operator '${operator}' is not allowed`, start);
    }
    return operator;
  }

  private remember<T>(start: number, node: T): T {
    if (node && typeof node === 'object' && !this.starts.has(node)) this.starts.set(node, start);
    return node;
  }
}

/**
 * Parses and checks `source`. Throws {@link ExpressionError} for a syntax error, for anything outside the
 * supported subset (assignment, functions, `new`, `this`, template literals, calls other than the allowed methods,
 * forbidden property names) and for input over the length or depth limits.
 */
export function parseExpression(source: string): CompiledExpression {
  if (typeof source !== 'string') throw new ExpressionError('Expression must be a string');
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`Expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  prescan(source);
  const parser = new PositionedParser(source);
  let tree: jsep.Expression;
  try {
    tree = parser.parse();
  } catch (error) {
    throw parseFailure(source, error);
  }
  const root = new Compiler(source, parser.starts).compile(tree, 1);
  return Object.freeze({ source, root });
}

/** For request validation: the outcome of {@link parseExpression} without an exception. */
export function checkExpression(source: string): ExpressionCheck {
  try {
    parseExpression(source);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return error.position === undefined
      ? { ok: false, message: error.message }
      : { ok: false, message: error.message, position: error.position };
  }
}

/**
 * A lexical pass before jsep runs: bounds bracket nesting (jsep recurses per bracket, so this keeps the parser's
 * own stack use small) and refuses what jsep would silently read differently from JavaScript (template literals,
 * `\u`/`\x`/octal escapes and line continuations, which it would turn into plain letters).
 */
function prescan(source: string): void {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === "'") {
      for (i++; i < source.length && source[i] !== ch; i++) {
        if (source[i] !== '\\') continue;
        i++;
        if (i < source.length && /[ux0-9\r\n\u2028\u2029]/.test(source[i])) {
          throw new ExpressionError('Unsupported escape sequence in string', i - 1);
        }
      }
    } else if (ch === '`') {
      throw new ExpressionError('Template literals are not allowed', i);
    } else if (ch === '(' || ch === '[') {
      if (++depth > MAX_EXPRESSION_DEPTH) {
        throw new ExpressionError(`Expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, i);
      }
    } else if (ch === ')' || ch === ']') {
      depth = Math.max(0, depth - 1);
    }
  }
}

/** Turns whatever jsep threw into an ExpressionError with a readable message and the offending position. */
function parseFailure(source: string, error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RangeError) {
    // Not expected within the length and nesting limits, but a stack overflow must still be a clean refusal.
    return new ExpressionError('Expression is too complex');
  }
  const details = error as { index?: unknown; description?: unknown; message?: unknown };
  const index = typeof details.index === 'number' ? details.index : undefined;
  const description =
    typeof details.description === 'string' ? details.description : String(details.message ?? 'Invalid expression');
  if (index === undefined) return new ExpressionError(description);
  if (source[index] === '=' && !/[=!<>]/.test(source[index - 1] ?? '')) {
    return new ExpressionError(
      source[index + 1] === '>' ? 'Arrow functions are not allowed' : 'Assignment is not allowed',
      index,
    );
  }
  if (index >= source.length && /^(Unexpected|Expected expression|missing)/.test(description)) {
    return new ExpressionError('Unexpected end of expression', index);
  }
  if (source[index] === '{') return new ExpressionError('Object literals and blocks are not allowed', index);
  return new ExpressionError(description, index);
}

/** Checks jsep's tree against the allowed subset and rebuilds it as frozen {@link ExpressionNode}s. */
class Compiler {
  constructor(
    private readonly source: string,
    private readonly starts: WeakMap<object, number>,
  ) {}

  compile(node: jsep.Expression, depth: number): ExpressionNode {
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionError(`Expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, this.at(node));
    }
    const next = depth + 1;
    const n = node as jsep.CoreExpression;
    switch (n.type) {
      case 'Literal': {
        const value: unknown = n.value;
        if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new ExpressionError('Unsupported literal', this.at(n));
        }
        return freeze({ kind: 'literal', value: value as LiteralValue });
      }
      case 'Identifier':
        return this.identifier(n);
      case 'ThisExpression':
        throw new ExpressionError("'this' is not allowed", this.at(n));
      case 'MemberExpression':
        return this.member(n, next);
      case 'CallExpression':
        return this.call(n, next);
      case 'UnaryExpression':
        if (!unaryOperators.has(n.operator)) {
          throw new ExpressionError(`Operator '${n.operator}' is not allowed`, this.at(n));
        }
        return freeze({
          kind: 'unary',
          operator: n.operator as UnaryOperator,
          argument: this.compile(n.argument, next),
        });
      case 'BinaryExpression': {
        const left = this.compile(n.left, next);
        const right = this.compile(n.right, next);
        if (logicalOperators.has(n.operator)) {
          return freeze({ kind: 'logical', operator: n.operator as LogicalOperator, left, right });
        }
        if (binaryOperators.has(n.operator)) {
          return freeze({ kind: 'binary', operator: n.operator as BinaryOperator, left, right });
        }
        throw new ExpressionError(`Operator '${n.operator}' is not allowed`, this.at(n));
      }
      case 'ConditionalExpression':
        return freeze({
          kind: 'conditional',
          test: this.compile(n.test, next),
          consequent: this.compile(n.consequent, next),
          alternate: this.compile(n.alternate, next),
        });
      case 'ArrayExpression':
        return freeze({
          kind: 'array',
          elements: Object.freeze(
            n.elements.map((element) =>
              element === null ? freeze({ kind: 'literal', value: undefined }) : this.compile(element, next),
            ),
          ),
        });
      case 'Compound':
        return this.compound(n, depth);
      case 'SequenceExpression':
        throw new ExpressionError('Comma expressions are not allowed', this.at(n.expressions[1] ?? n));
      default:
        throw new ExpressionError(`Unsupported syntax (${String((node as { type?: unknown }).type)})`, this.at(node));
    }
  }

  private identifier(node: jsep.Identifier): ExpressionNode {
    const { name } = node;
    if (name === 'undefined') return freeze({ kind: 'literal', value: undefined });
    if (forbiddenKeys.has(name)) throw new ExpressionError(`Access to '${name}' is not allowed`, this.at(node));
    if (reservedWords.has(name)) throw new ExpressionError(`'${name}' is not allowed`, this.at(node));
    return freeze({ kind: 'identifier', name });
  }

  private member(node: jsep.MemberExpression, depth: number): ExpressionNode {
    const object = this.compile(node.object, depth);
    const property = node.property;
    if (!node.computed) {
      const key = (property as jsep.Identifier).name;
      if (forbiddenKeys.has(key)) throw new ExpressionError(`Access to '${key}' is not allowed`, this.at(property));
      return freeze({ kind: 'member', object, key });
    }
    const key = this.compile(property, depth);
    if (key.kind === 'literal') {
      const name = String(key.value);
      if (forbiddenKeys.has(name)) throw new ExpressionError(`Access to '${name}' is not allowed`, this.at(property));
      return freeze({ kind: 'member', object, key: name });
    }
    return freeze({ kind: 'computed', object, key, position: this.at(property) });
  }

  private call(node: jsep.CallExpression, depth: number): ExpressionNode {
    const callee = node.callee as jsep.CoreExpression;
    const allowed = Object.keys(allowedMethods).join(', ');
    if (callee.type !== 'MemberExpression') {
      const message =
        callee.type === 'Identifier'
          ? `Calling '${callee.name}' is not allowed; only these methods can be called: ${allowed}`
          : `Only these methods can be called: ${allowed}`;
      throw new ExpressionError(message, this.at(callee));
    }
    const property = callee.property as jsep.CoreExpression;
    const name = !callee.computed
      ? (property as jsep.Identifier).name
      : property.type === 'Literal' && typeof property.value === 'string'
        ? property.value
        : undefined;
    if (name === undefined) {
      throw new ExpressionError(
        `Computed method calls are not allowed; only these methods can be called: ${allowed}`,
        this.at(property),
      );
    }
    if (forbiddenKeys.has(name)) throw new ExpressionError(`Access to '${name}' is not allowed`, this.at(property));
    if (!isAllowedMethod(name)) {
      throw new ExpressionError(
        `Calling '${name}' is not allowed; only these methods can be called: ${allowed}`,
        this.at(property),
      );
    }
    const [min, max]: readonly [number, number] = allowedMethods[name];
    if (node.arguments.length < min || node.arguments.length > max) {
      const expected = max === 0 ? 'no arguments' : min === max ? `${min} argument(s)` : `${min} or ${max} arguments`;
      throw new ExpressionError(`'${name}' takes ${expected}`, this.at(property));
    }
    return freeze({
      kind: 'call',
      receiver: this.compile(callee.object, depth),
      method: name,
      args: Object.freeze(node.arguments.map((argument) => this.compile(argument, depth))),
    });
  }

  /** jsep reads `a b`, `a; b` and `a, b` as several expressions; only a single one is a condition. */
  private compound(node: jsep.Compound, depth: number): ExpressionNode {
    const [first, second] = node.body;
    if (first === undefined) throw new ExpressionError('Expression is empty');
    const compiled = this.compile(first, depth); // reports `new`, `typeof`, `this`… at the start first
    if (second === undefined) return compiled;
    const word = (second as jsep.CoreExpression).type === 'Identifier' ? (second as jsep.Identifier).name : undefined;
    if (word !== undefined && reservedWords.has(word)) {
      throw new ExpressionError(`'${word}' is not allowed`, this.at(second));
    }
    throw new ExpressionError('Expected an operator or the end of the expression', this.at(second));
  }

  /** Where a node starts: its own recorded start, or that of its leftmost descendant. */
  private at(node: jsep.Expression): number | undefined {
    let current: unknown = node;
    while (current && typeof current === 'object') {
      const start = this.starts.get(current);
      if (start !== undefined) return Math.min(start, this.source.length);
      const n = current as Record<string, unknown>;
      current = n.object ?? n.callee ?? n.left ?? n.test ?? (n.body as unknown[] | undefined)?.[0];
    }
    return undefined;
  }
}

function isAllowedMethod(name: string): name is AllowedMethod {
  return Object.prototype.hasOwnProperty.call(allowedMethods, name);
}

function freeze(node: ExpressionNode): ExpressionNode {
  return Object.freeze(node);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------------

/**
 * Evaluates a compiled expression against `context`. Never throws because of the data's shape (missing paths,
 * wrong types give `undefined`); throws {@link ExpressionError} only for a forbidden operation that could not be
 * ruled out at parse time, such as a computed key that turns out to be `__proto__`.
 */
export function evaluate(compiled: CompiledExpression, context: Record<string, unknown>): unknown {
  if (!compiled || typeof compiled !== 'object' || !compiled.root) {
    throw new ExpressionError('Not a compiled expression');
  }
  return evaluateNode(compiled.root, isObjectLike(context) ? context : {}, 1);
}

/** The expression's result under JavaScript truthiness; a string is parsed first (and may throw ExpressionError). */
export function evaluateCondition(expression: string | CompiledExpression, context: Record<string, unknown>): boolean {
  const compiled = typeof expression === 'string' ? parseExpression(expression) : expression;
  return Boolean(evaluate(compiled, context));
}

/**
 * A user's condition where a failure to evaluate (a path into nothing, a type error) means "no": routing skips
 * the entry, an automation skips the step. Absent means yes.
 */
export function conditionHolds(expression: string | undefined, context: Record<string, unknown>): boolean {
  if (!expression) return true;
  try {
    return evaluateCondition(expression, context);
  } catch {
    return false;
  }
}

function evaluateNode(node: ExpressionNode, context: object, depth: number): unknown {
  if (depth > MAX_EXPRESSION_DEPTH) {
    throw new ExpressionError(`Expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
  }
  const next = depth + 1;
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier':
      return ownDataProperty(context, node.name);
    case 'member':
      return readProperty(evaluateNode(node.object, context, next), node.key);
    case 'computed': {
      const object = evaluateNode(node.object, context, next);
      const key = toKey(evaluateNode(node.key, context, next));
      if (key === undefined) return undefined;
      if (forbiddenKeys.has(key)) throw new ExpressionError(`Access to '${key}' is not allowed`, node.position);
      return readProperty(object, key);
    }
    case 'call': {
      const receiver = evaluateNode(node.receiver, context, next);
      const args = node.args.map((argument) => evaluateNode(argument, context, next));
      return callMethod(receiver, node.method, args);
    }
    case 'unary': {
      const value = evaluateNode(node.argument, context, next);
      if (node.operator === '!') return !value;
      if (!isPrimitive(value)) return undefined;
      return attempt(() => (node.operator === '-' ? -(value as number) : +(value as number)));
    }
    case 'logical': {
      const left = evaluateNode(node.left, context, next);
      switch (node.operator) {
        case '&&':
          return left ? evaluateNode(node.right, context, next) : left;
        case '||':
          return left ? left : evaluateNode(node.right, context, next);
        case '??':
          return left !== null && left !== undefined ? left : evaluateNode(node.right, context, next);
      }
      return unknownNode();
    }
    case 'binary':
      return binary(node.operator, evaluateNode(node.left, context, next), evaluateNode(node.right, context, next));
    case 'conditional':
      return evaluateNode(node.test, context, next)
        ? evaluateNode(node.consequent, context, next)
        : evaluateNode(node.alternate, context, next);
    case 'array':
      return node.elements.map((element) => evaluateNode(element, context, next));
  }
  return unknownNode();
}

function unknownNode(): never {
  throw new ExpressionError('Not a compiled expression');
}

type Primitive = string | number | boolean | bigint | null | undefined;

/** Values whose coercions run no code and cannot throw (symbols excluded: coercing one throws). */
function isPrimitive(value: unknown): value is Primitive {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** Native arithmetic, which can still throw on primitives (mixing BigInt and Number): a data problem, so undefined. */
function attempt<T>(operation: () => T): T | undefined {
  try {
    return operation();
  } catch {
    return undefined;
  }
}

function binary(operator: BinaryOperator, left: unknown, right: unknown): unknown {
  switch (operator) {
    case '===':
      return left === right;
    case '!==':
      return left !== right;
    case '==':
      return isPrimitive(left) && isPrimitive(right) ? left == right : left === right;
    case '!=':
      return isPrimitive(left) && isPrimitive(right) ? left != right : left !== right;
  }
  if (!isPrimitive(left) || !isPrimitive(right)) {
    // Comparing or doing arithmetic on objects would run their conversions: refused as a data-shape problem.
    return operator === '<' || operator === '<=' || operator === '>' || operator === '>=' ? false : undefined;
  }
  // The casts only quiet the type checker: these are JavaScript's own operators on primitives.
  const a = left as number;
  const b = right as number;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return attempt(() => a + b);
    case '-':
      return attempt(() => a - b);
    case '*':
      return attempt(() => a * b);
    case '/':
      return attempt(() => a / b);
    case '%':
      return attempt(() => a % b);
  }
  return unknownNode();
}

function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** An object literal or parsed JSON object (of any realm), or a null-prototype object; not a class instance. */
function isPlainObject(value: unknown): value is object {
  if (!isObjectLike(value) || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** An own data property's value; getters are never run. */
function ownDataProperty(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

const arrayIndex = /^(?:0|[1-9][0-9]*)$/;

function readProperty(object: unknown, key: string): unknown {
  if (forbiddenKeys.has(key)) throw new ExpressionError(`Access to '${key}' is not allowed`);
  if (typeof object === 'string') {
    if (key === 'length') return object.length;
    return arrayIndex.test(key) && Number(key) < object.length ? object.charAt(Number(key)) : undefined;
  }
  if (Array.isArray(object) || isPlainObject(object)) return ownDataProperty(object, key);
  return undefined;
}

/** A computed key as JavaScript would spell it, for primitive keys only (objects would run their toString). */
function toKey(value: unknown): string | undefined {
  return isPrimitive(value) ? String(value) : undefined;
}

function callMethod(receiver: unknown, method: AllowedMethod, args: unknown[]): unknown {
  const [first, position] = args;
  if (position !== undefined && typeof position !== 'number') return undefined;
  if (Array.isArray(receiver)) {
    return method === 'includes' ? Array.prototype.includes.call(receiver, first, position) : undefined;
  }
  if (typeof receiver !== 'string') return undefined;
  switch (method) {
    case 'toLowerCase':
      return receiver.toLowerCase();
    case 'toUpperCase':
      return receiver.toUpperCase();
    case 'trim':
      return receiver.trim();
  }
  if (!isPrimitive(first)) return undefined;
  const search = String(first);
  switch (method) {
    case 'includes':
      return receiver.includes(search, position);
    case 'startsWith':
      return receiver.startsWith(search, position);
    case 'endsWith':
      return receiver.endsWith(search, position);
  }
  return unknownNode();
}
