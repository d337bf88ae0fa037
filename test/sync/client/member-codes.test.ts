import { firstValueFrom, filter } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Terminal } from '../../../src/sync/client/terminal.ts';
import type { CustomerInput } from '../../../src/sync/model/customer-input.ts';
import { codeInId, memberCodeOf } from '../../../src/sync/model/member-code.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, openTestTerminal } from '../../helpers/terminal.ts';

// Member codes end to end in Node (issue 18.6): the server numbers terminals, each terminal's sign-ups carry
// its number and its own sequence, a replica rebuilt from the server goes on above what it had given, and
// another terminal finds the customer by the code.

const details = (name: string): CustomerInput => ({
  phone: nextPhone(), name, email: '', birthday: '', anniversary: '', notes: '', favorites: [], allergies: [], preferredTime: '', marketingConsent: false, tags: [], status: 'active',
});

describe('member codes assigned by offline terminals', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  const open: Terminal[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
  });
  afterEach(async () => {
    for (const terminal of open.splice(0)) await terminal.close().catch(() => {});
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  async function terminal(options: Partial<Parameters<typeof openTestTerminal>[0]> = {}) {
    const code = options.credentials ? undefined : (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code;
    const opened = await openTestTerminal({ serverUrl: url, code, ...options });
    open.push(opened);
    await firstValueFrom(opened.status$.pipe(filter((s) => s.initialSyncDone)));
    expect((await opened.session.signIn(seed.cashier.id, '1234')).ok).toBe(true);
    return opened;
  }
  async function signUp(t: Terminal, name: string) {
    const result = await t.commands.signUp(details(name));
    if (!result.ok) throw new Error(`sign-up refused: ${result.error.code}`);
    return result.value;
  }
  /** The terminal has learnt its number once a sign-up's id carries a code (taking one sequence for the check). */
  const numbered = (t: Terminal) => eventually(async () => codeInId(await t.newCustomerId()) !== null, 10_000, 'the terminal number');

  it('numbers terminals, continues a sequence past a rebuilt replica, and finds a code on another terminal', async () => {
    const first = await terminal();
    await numbered(first);
    const ava = await signUp(first, 'Ava First');
    const a = codeInId(ava.id)!;
    const b = codeInId((await signUp(first, 'Bea First')).id)!;
    expect(a.terminal).toBe(b.terminal);
    expect(b.sequence).toBe(a.sequence + 1);
    await first.sync.awaitInSync();
    const credentials = (first as Terminal & { credentials: Parameters<typeof openTestTerminal>[0]['credentials'] }).credentials;
    await first.close();
    open.splice(0);

    // The same terminal with its replica gone: rebuilt from the server, it never gives a sequence twice.
    const rebuilt = await terminal({ credentials });
    await numbered(rebuilt);
    const c = codeInId((await signUp(rebuilt, 'Cyd Rebuilt')).id)!;
    expect(c.terminal).toBe(a.terminal);
    expect(c.sequence).toBeGreaterThan(b.sequence);
    await rebuilt.sync.awaitInSync();
    await rebuilt.close();
    open.splice(0);

    const second = await terminal();
    await numbered(second);
    const other = await signUp(second, 'Dee Second');
    expect(codeInId(other.id)!.terminal).not.toBe(a.terminal);
    const code = memberCodeOf(ava.id);
    await eventually(() => second.queries.lookup.answer(code, 20)?.codeHolder === ava.id, 10_000, 'the code found on the second terminal');
  });
});
