/**
 * Courier's list ids and list patterns (api-contract §9.2). Pure, so the gateway, the stores and the fan-out can
 * agree on what a list id is and which lists a pattern names.
 *
 * A list id has one to four dot-separated parts (`a`, `a.b`, `a.b.c`, `a.b.c.d`); each id is its own list. A pattern
 * has the same shape, where a part may be `*` (exactly one part at that position) and the last part may be `**`
 * (one or more further parts). A pattern without wildcards is an exact id.
 */

export const MAX_LIST_ID_PARTS = 4;
/** Generous, but bounded: ids end up in URLs, index keys and log lines. */
export const MAX_LIST_ID_LENGTH = 1024;

const ONE_PART = '*';
const REST = '**';
/** `*` is reserved for patterns; whitespace and control characters make ids that cannot be told apart in logs. */
const BAD_CHARACTER = /[*\s\u0000-\u001f\u007f]/;

/** Why `id` is not a list id, or undefined when it is one. */
export function listIdProblem(id: string): string | undefined {
  const shape = shapeProblem(id, 'list id');
  if (shape) return shape;
  const bad = id.split('.').find((part) => BAD_CHARACTER.test(part));
  if (bad !== undefined) return `list id part "${bad}" may not contain "*", whitespace or control characters`;
  return undefined;
}

export function isListId(id: string): boolean {
  return listIdProblem(id) === undefined;
}

/** A parsed pattern: the parts before a trailing `**`, and whether there was one. */
export interface ListPattern {
  /** Literal parts and `*`s, one per list id part they match. */
  parts: string[];
  /** A trailing `**`: the list id continues with one or more parts after `parts`. */
  rest: boolean;
}

/** Why `pattern` is not a list pattern, or undefined when it is one. */
export function listPatternProblem(pattern: string): string | undefined {
  const shape = shapeProblem(pattern, 'list pattern');
  if (shape) return shape;
  const parts = pattern.split('.');
  for (const [index, part] of parts.entries()) {
    if (part === ONE_PART) continue;
    if (part === REST) {
      if (index !== parts.length - 1) return 'list pattern may use "**" only as its last part';
      continue;
    }
    if (BAD_CHARACTER.test(part)) {
      return `list pattern part "${part}" must be "*", "**" or a literal without "*", whitespace or control characters`;
    }
  }
  // Courier allows up to three wildcards in four parts: a pattern made only of wildcards would name every list.
  if (parts.every((part) => part === ONE_PART || part === REST)) {
    return 'list pattern needs at least one literal part';
  }
  return undefined;
}

/** Parses a pattern; throws with the reason when it is not one (see `listPatternProblem`). */
export function parseListPattern(pattern: string): ListPattern {
  const problem = listPatternProblem(pattern);
  if (problem) throw new Error(problem);
  const parts = pattern.split('.');
  const rest = parts[parts.length - 1] === REST;
  return { parts: rest ? parts.slice(0, -1) : parts, rest };
}

/** Whether the list `listId` is one the pattern names. Accepts a pattern string (parsed, so it may throw) or a parsed one. */
export function matchesListPattern(pattern: string | ListPattern, listId: string): boolean {
  const { parts, rest } = typeof pattern === 'string' ? parseListPattern(pattern) : pattern;
  const idParts = listId.split('.');
  const lengthFits = rest ? idParts.length > parts.length : idParts.length === parts.length;
  return lengthFits && parts.every((part, index) => part === ONE_PART || part === idParts[index]);
}

/**
 * The literal parts a pattern starts with, joined with dots (`a.b` for `a.b.*.**`), or undefined when it starts with
 * a wildcard. Every list the pattern matches is this id itself or starts with it followed by a dot, which lets a
 * store narrow its search before matching.
 */
export function literalPrefix(pattern: string | ListPattern): string | undefined {
  const { parts } = typeof pattern === 'string' ? parseListPattern(pattern) : pattern;
  const firstWildcard = parts.indexOf(ONE_PART);
  const literal = firstWildcard === -1 ? parts : parts.slice(0, firstWildcard);
  return literal.length > 0 ? literal.join('.') : undefined;
}

function shapeProblem(text: string, what: string): string | undefined {
  if (text.length === 0) return `${what} must not be empty`;
  if (text.length > MAX_LIST_ID_LENGTH) return `${what} must be at most ${MAX_LIST_ID_LENGTH} characters`;
  const parts = text.split('.');
  if (parts.length > MAX_LIST_ID_PARTS) return `${what} has at most ${MAX_LIST_ID_PARTS} dot-separated parts`;
  if (parts.some((part) => part.length === 0))
    return `${what} must not have empty parts (".." or a leading or trailing ".")`;
  return undefined;
}
