import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suite's longest files, longest first (measured in a full run on two cores). Two workers finish together
 * only when the long files start early: on a fresh checkout (CI) vitest has no durations cached and keeps the
 * glob's order, which left a minute-long server file for the end. Files not listed run after these, in
 * vitest's own order (its cached durations when there are some).
 */
const HEAVY_FIRST = [
  'test/chaos/convergence.test.ts',
  'test/sync/server/main.test.ts',
  'test/e2e/counter.test.ts',
  'test/sync/server/backup.test.ts',
  'test/sync/server/cli.test.ts',
  'test/sync/server/kill-in-push.test.ts',
  'test/e2e/cashier-day.test.ts',
  'test/sync/server/data-folder.test.ts',
  'test/sync/server/stream.test.ts',
  'test/sync/server/ops.test.ts',
  'test/sync/server/disk-full.test.ts',
  'test/e2e/analytics-charts.test.ts',
  'test/e2e/loyalty.test.ts',
  'test/sync/server/input.test.ts',
  'test/sync/server/security.test.ts',
  'test/e2e/directory.test.ts',
  'test/sync/server/durability.test.ts',
];

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = HEAVY_FIRST.findIndex((path) => file.moduleId.endsWith(path));
      return index === -1 ? HEAVY_FIRST.length : index;
    };
    const base = await super.sort(files);
    return base.map((file, order) => ({ file, order })).sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order).map(({ file }) => file);
  }
}
