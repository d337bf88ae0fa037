import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './test/heavy-first-sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/lint/fixtures/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: server and browser suites are heavy; keep file-level parallelism modest.
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
  },
});
