import { BehaviorSubject, type Observable } from 'rxjs';
import type { CollectionName } from '../../sync/model/wire-protocol.ts';
import type { Terminal } from '../../sync/client/terminal.ts';

// Which collections have finished their first pull in this session. The customers collection matters most:
// the counter's lookup is useful as soon as customers are in, whatever the other collections are doing.

const tracked = new WeakMap<Terminal, BehaviorSubject<ReadonlySet<CollectionName>>>();
const READY_KEY = 'patron.customersSynced.';

function storage(): Pick<Storage, 'getItem' | 'setItem'> | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Whether this terminal's customers have completed a first pull at some point (this session or before a
 * reload). A terminal restarted offline has all its customers as of its last sync: no "still arriving" notice.
 */
export function customersSyncedBefore(terminalId: string): boolean {
  try {
    return storage()?.getItem(READY_KEY + terminalId) === '1';
  } catch {
    return false;
  }
}

/** Collections whose initial replication has completed (the client's status `ready`; grows only). */
export function caughtUp$(terminal: Terminal): Observable<ReadonlySet<CollectionName>> {
  let subject = tracked.get(terminal);
  if (!subject) {
    const done = new BehaviorSubject<ReadonlySet<CollectionName>>(new Set());
    subject = done;
    tracked.set(terminal, done);
    terminal.status$.subscribe(({ ready }) => {
      if (ready.length === done.getValue().size) return;
      done.next(new Set(ready));
      if (ready.includes('customers')) {
        try {
          storage()?.setItem(READY_KEY + terminal.identity.terminalId, '1');
        } catch {
          // Storage unavailable: the notice may show again after a reload offline; harmless.
        }
      }
    });
  }
  return subject.asObservable();
}
