/** The terminal: its replica, replication, status, session, and the typed commands and queries the UI calls. */
export * from './api.ts';
export * from './auth.ts';
export * from './commands/index.ts';
export * from './database.ts';
export * from './errors.ts';
export * from './key-value.ts';
export * from './status.ts';
export * from './terminal.ts';
