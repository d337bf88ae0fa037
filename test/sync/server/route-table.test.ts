import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routePath } from '../../../src/sync/model/routes.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { testApp } from '../../helpers/sync-server.ts';

/** Every `METHOD path` the app serves, read from Fastify's route tree (HEAD is implied by GET). */
function servedRoutes(app: PatronApp): string[] {
  const served: string[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2]!;
    prefixes[depth] = path;
    for (const method of match[3]!.split(', ')) if (method !== 'HEAD') served.push(`${method} ${path}`);
  }
  return served.sort();
}

describe('the route table (src/sync/model/routes.ts) is what the server serves', () => {
  let tdb: TestDatabase;
  let app: PatronApp;

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    app = await testApp(tdb.db);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it('serves exactly the table’s routes, each with its method', () => {
    const table = Object.values(ROUTES).map((route) => `${route.method} ${route.path}`).sort();
    expect(servedRoutes(app)).toEqual(table);
  });

  it('fills path parameters for the client, encoded', () => {
    expect(routePath(ROUTES.pull, { collection: 'customers' })).toBe('/v1/pull/customers');
    expect(routePath(ROUTES.push, { collection: 'loyaltyEntries' })).toBe('/v1/push/loyaltyEntries');
    expect(routePath(ROUTES.push, { collection: 'a/b?c' })).toBe('/v1/push/a%2Fb%3Fc');
    expect(routePath(ROUTES.enrol, {})).toBe('/v1/enrol');
  });
});
