import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedImports(fixture: string, asPath: string, rule = 'no-restricted-imports'): Promise<string[]> {
  const code = readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: asPath });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe('architecture boundaries (eslint no-restricted-imports)', () => {
  it('refuses rxdb and node:* in src/sync/model', async () => {
    const messages = await restrictedImports('model-imports-rxdb.ts', 'src/sync/model/bad.ts');
    expect(messages).toHaveLength(2);
    expect(messages.join('\n')).toMatch(/pure/);
  });

  it('refuses the server in the renderer', async () => {
    const messages = await restrictedImports('renderer-imports-server.ts', 'src/renderer/features/bad.ts');
    expect(messages).toHaveLength(1);
  });

  it('refuses rxdb and `.db.` in renderer features and components: they call the terminal’s queries and commands', async () => {
    for (const place of ['src/renderer/features/counter/Bad.tsx', 'src/renderer/components/Bad.tsx']) {
      expect(await restrictedImports('feature-reaches-replica.ts', place)).toHaveLength(2);
      expect(await restrictedImports('feature-reaches-replica.ts', place, 'no-restricted-syntax')).toHaveLength(1);
    }
    expect(await restrictedImports('feature-reaches-replica.ts', 'src/renderer/app/runtime-helper.ts')).toEqual([]);
  });

  it('lets the server import the same code', async () => {
    expect(await restrictedImports('model-imports-rxdb.ts', 'src/sync/server/fine.ts')).toEqual([]);
  });
});
