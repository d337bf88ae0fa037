import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The fixtures live in an ignored folder (they are wrong on purpose), so this linter does not apply the ignores.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname, ignore: false });

describe('import cycles (eslint import-x/no-cycle)', () => {
  it('reports a value import cycle between two modules, on both sides', async () => {
    const results = await eslint.lintFiles(['test/lint/fixtures/cycle/first.ts', 'test/lint/fixtures/cycle/second.ts']);
    const cycles = results.map((result) => result.messages.filter((m) => m.ruleId === 'import-x/no-cycle').length);
    expect(cycles).toEqual([1, 1]);
  });
});
