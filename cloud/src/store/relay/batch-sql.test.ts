import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { integerCase, mysqlLiteral } from './batch-sql.js';

// A RawBuilder compiles against any Kysely executor; a raw fragment needs nothing from it.

const dummyCompiler = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

describe('MySQL batch literals', () => {
  it('writes integers as they are and refuses anything else as a number', () => {
    expect(mysqlLiteral(42)).toBe('42');
    expect(mysqlLiteral(-7)).toBe('-7');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => mysqlLiteral(bad)).toThrow(TypeError);
    }
  });

  it('escapes strings and writes bytes as hex', () => {
    expect(mysqlLiteral("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(mysqlLiteral(new Uint8Array([0, 15, 255]))).toBe("X'000fff'");
    expect(mysqlLiteral(null)).toBe('NULL');
  });

  it('builds a CASE over integers only', () => {
    const compiled = (c: ReturnType<typeof integerCase>) => c.compile(dummyCompiler).sql;
    expect(
      compiled(
        integerCase('id', [
          [1, 7],
          [2, 9],
        ]),
      ),
    ).toBe('CASE id WHEN 1 THEN 7 WHEN 2 THEN 9 END');
    expect(() => integerCase('id', [[1, 0.5]])).toThrow(TypeError);
  });
});
