/** Replication of a terminal's local RxDB replica with the Patron sync server (DESIGN §6). */
export * from './api.ts';
export * from './auth.ts';
export * from './database.ts';
export * from './errors.ts';
export * from './lookup-index.ts';
export * from './pokes.ts';
export * from './progress.ts';
export * from './reads.ts';
export * from './replicate.ts';
export * from './session.ts';
export * from './status.ts';
