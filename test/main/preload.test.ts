import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { IpcName, PatronDesktopApi } from '../../src/main/ipc/contract.ts';
import { IPC_NAMES } from '../../src/main/ipc/schemas.ts';

// The preload is imported for real with 'electron' mocked: we capture what it hands to contextBridge.

const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (..._args: unknown[]) => 'result');

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: { invoke: (...args: unknown[]) => invoke(...args), send: vi.fn(), on: vi.fn() },
}));

// Exhaustive by type: the object literal must name every capability of the contract, and no other key.
const CONTRACT_KEYS = {
  storeDeviceCredential: true,
  readDeviceCredential: true,
  clearDeviceCredential: true,
  getSettings: true,
  setSyncServerUrl: true,
  setPrintSettings: true,
  listPrinters: true,
  printReceipt: true,
  getAppVersion: true,
} satisfies Record<keyof PatronDesktopApi, true>;

let api: Record<string, unknown>;

beforeAll(async () => {
  await import('../../src/main/preload/index.ts');
  api = exposed.get('patron') as Record<string, unknown>;
});

describe('preload', () => {
  it('exposes exactly one global, window.patron', () => {
    expect([...exposed.keys()]).toEqual(['patron']);
  });

  it("exposes exactly the contract's keys, all of them functions", () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(CONTRACT_KEYS).sort());
    expect(Object.keys(api).sort()).toEqual([...IPC_NAMES].sort());
    for (const [key, value] of Object.entries(api)) expect(typeof value, key).toBe('function');
  });

  it('never exposes ipcRenderer or a generic invoke', () => {
    const values = Object.values(api);
    expect(values.some((v) => typeof v === 'object')).toBe(false);
    expect(Object.keys(api).filter((k) => /^(invoke|send|sendSync|on|once|ipc|ipcRenderer)$|invoke/i.test(k))).toEqual(
      [],
    );
    expect(Object.isFrozen(api)).toBe(true);
  });

  it.each(IPC_NAMES)('%s invokes patron:%s and forwards only its declared arguments', async (name: IpcName) => {
    invoke.mockClear();
    const fn = api[name] as (...args: unknown[]) => Promise<unknown>;
    const declared = fn.length;
    await expect(fn('a', 'b', 'c')).resolves.toBe('result');
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke.mock.calls[0]).toEqual([`patron:${name}`, ...['a', 'b', 'c'].slice(0, declared)]);
  });

  it("imports nothing at run time but 'electron' (a sandboxed preload can require nothing else)", () => {
    const file = path.resolve(import.meta.dirname, '../../src/main/preload/index.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const runtime = source.statements
      .filter(ts.isImportDeclaration)
      .filter((decl) => !decl.importClause?.isTypeOnly)
      .map((decl) => (decl.moduleSpecifier as ts.StringLiteral).text);
    expect(runtime).toEqual(['electron']);
  });
});

describe('contract', () => {
  it('is types only: it compiles to no JavaScript', () => {
    const file = path.resolve(import.meta.dirname, '../../src/main/ipc/contract.ts');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        removeComments: true,
      },
    });
    expect(outputText.replace(/export \{\};?/, '').trim()).toBe('');
  });
});
