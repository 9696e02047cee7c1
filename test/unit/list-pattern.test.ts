import {
  isListId,
  listIdProblem,
  listPatternProblem,
  literalPrefix,
  matchesListPattern,
  parseListPattern,
} from '../../domain/list-pattern';

describe('list ids', () => {
  it.each(['a', 'a.b', 'a.b.c', 'a.b.c.d', 'pokemon.fire-type', 'team_1.user@example.com', 'x:y+z'])(
    'accepts %s',
    (id) => {
      expect(listIdProblem(id)).toBeUndefined();
      expect(isListId(id)).toBe(true);
    },
  );

  it.each([
    ['', /empty/],
    ['a.b.c.d.e', /at most 4/],
    ['a..b', /empty parts/],
    ['.a', /empty parts/],
    ['a.', /empty parts/],
    ['a.*', /may not contain/],
    ['a.b c', /may not contain/],
    ['a\nb', /may not contain/],
    ['x'.repeat(1025), /at most 1024/],
  ])('refuses %j', (id, reason) => {
    expect(listIdProblem(id)).toMatch(reason);
    expect(isListId(id)).toBe(false);
  });
});

describe('list patterns', () => {
  it.each([
    ['pokemon.*', 'pokemon.fire', true],
    ['pokemon.*', 'pokemon.fire.gen1', false],
    ['pokemon.*', 'pokemon', false],
    ['pokemon.**', 'pokemon.fire', true],
    ['pokemon.**', 'pokemon.fire.gen1', true],
    ['pokemon.**', 'pokemon.fire.gen1.kanto', true],
    ['pokemon.**', 'pokemon', false],
    ['pokemon.**', 'pokemonx.fire', false],
    ['*.fire', 'pokemon.fire', true],
    ['*.fire', 'digimon.fire', true],
    ['*.fire', 'pokemon.water', false],
    ['*.fire.*', 'pokemon.fire.gen1', true],
    ['*.fire.**', 'pokemon.fire.gen1.kanto', true],
    ['a.*.c.*', 'a.b.c.d', true],
    ['a.*.c.*', 'a.b.x.d', false],
    ['pokemon.fire', 'pokemon.fire', true],
    ['pokemon.fire', 'pokemon.fire.gen1', false],
    ['pokemon.fire', 'pokemon', false],
    ['pokemon', 'pokemon', true],
  ])('%s against %s: %s', (pattern, id, expected) => {
    expect(matchesListPattern(pattern, id)).toBe(expected);
    expect(matchesListPattern(parseListPattern(pattern), id)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['*', /literal part/],
    ['**', /literal part/],
    ['*.*.**', /literal part/],
    ['a.**.b', /only as its last part/],
    ['a.fire*', /must be "\*", "\*\*" or a literal/],
    ['a.***', /must be "\*", "\*\*" or a literal/],
    ['a.b.c.d.**', /at most 4/],
    ['a..*', /empty parts/],
  ])('refuses %j', (pattern, reason) => {
    expect(listPatternProblem(pattern)).toMatch(reason);
    expect(() => parseListPattern(pattern)).toThrow(reason);
    expect(() => matchesListPattern(pattern, 'a.b')).toThrow();
  });

  it('accepts three wildcards out of four parts', () => {
    expect(listPatternProblem('*.*.*.d')).toBeUndefined();
    expect(listPatternProblem('a.*.*.**')).toBeUndefined();
    expect(matchesListPattern('*.*.*.d', 'a.b.c.d')).toBe(true);
  });

  it('gives the literal parts a pattern starts with, which every match starts with', () => {
    expect(literalPrefix('a.b.*.**')).toBe('a.b');
    expect(literalPrefix('pokemon.**')).toBe('pokemon');
    expect(literalPrefix('a.b.c')).toBe('a.b.c');
    expect(literalPrefix('*.fire')).toBeUndefined();
  });
});
