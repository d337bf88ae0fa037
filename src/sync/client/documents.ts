// The storage boundary of the replica. The model types every document with `_deleted` (RxDB's tombstone flag,
// part of the wire format); RxDB keeps it out of a document's JSON and refuses it in an insert. These two
// functions are the only places that add or strip it: queries hand the UI model documents, commands hand
// RxDB what it stores.

/** A document as the model types it, from an RxDB document (never a tombstone: queries skip those). */
export function fromReplica<T extends { _deleted: boolean }>(doc: { toJSON(): unknown }): T {
  return { ...(doc.toJSON() as Omit<T, '_deleted'>), _deleted: false } as T;
}

/** A document as the model types it, from stored data (change events, scans): RxDB's meta fields dropped. */
export function fromStored<T extends { _deleted: boolean }>(data: Record<string, unknown>): T {
  const { _meta: _m, _rev: _r, _attachments: _a, ...doc } = data;
  return { ...doc, _deleted: data._deleted === true } as unknown as T;
}

/** What RxDB stores of a model document. */
export function forStorage<T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> {
  const { _deleted: _d, ...stored } = doc;
  return stored;
}
