// The keystroke probe, installed into the app's page with page.evaluate (so it must stay self-contained: no
// imports, no named inner functions or arrow constants — tsx wraps those in a `__name` helper the page does not have).

/** One measured keystroke, in the page's clock (ms). */
export interface ProbeSample {
  /** How the keystroke arrived: a keydown (digits, space) or text input only (Persian letters, as an IME does). */
  via: 'keydown' | 'input';
  /** The field's text after the keystroke. */
  text: string;
  /** The keydown's timestamp, or beforeinput's when there is no keydown. */
  start: number;
  /** The input event reached the field (after the browser's editing, before the app's handler). */
  inputAt: number | null;
  /** The commit that blanked the result count: React rendered the new text and its lookup is pending. */
  pendingAt: number | null;
  /** The lookup's IndexedDB cursor opened (null: RxDB answered from its query cache, no IndexedDB read). */
  idbStart: number | null;
  /** The cursor's last row arrived. */
  idbLast: number | null;
  /** The commit that shows the new text's results. */
  commit: number;
  /** The requestAnimationFrame callback after that commit: the frame that paints the results. */
  frame: number;
  /** The first task after that frame: the main thread has laid it out, painted it and handed it on. */
  painted: number;
  results: number;
}

/** The probe's state on `globalThis.__keystroke`. */
export interface ProbeState {
  samples: ProbeSample[];
  pending: unknown;
}

/**
 * Marks every keystroke in the counter's lookup. A MutationObserver on the lookup notices the commit where
 * the result count is back for the field's current text: React blanks the count while a lookup is pending,
 * so the count reappearing (or, after a cleared field, appearing) means the list holds the new text's
 * results. The next requestAnimationFrame is the frame that paints them; a message posted from it arrives
 * once the main thread has finished that frame (style, layout, paint). IDBIndex.openCursor is wrapped to
 * time the lookup's own cursor (the first one on the customers store after the pending commit) — a wrapper
 * and one event listener per key, microseconds. With `marks` (profile mode) each keystroke also becomes a
 * User Timing measure, so a saved trace shows every key's span from its event to its frame.
 */
export function installKeystrokeProbe(options: { marks: boolean } = { marks: false }): void {
  type Pending = {
    start: number;
    via: 'keydown' | 'input';
    inputAt: number | null;
    text: string | null;
    before: string;
    pendingAt: number | null;
    idbStart: number | null;
    idbLast: number | null;
    committed: boolean;
  };
  const input = document.querySelector<HTMLInputElement>('[data-testid="lookup-input"]');
  const count = document.querySelector('[data-testid="lookup-count"]');
  const root = input?.closest('.lookup');
  if (!input || !count || !root) throw new Error('the counter lookup is not on the page');
  const state = { samples: [] as ProbeSample[], pending: null as Pending | null };
  (globalThis as unknown as { __keystroke: typeof state }).__keystroke = state;

  input.addEventListener('keydown', (event) => {
    if (event.key.length !== 1) return;
    state.pending = { start: event.timeStamp, via: 'keydown', inputAt: null, text: null, before: '', pendingAt: null, idbStart: null, idbLast: null, committed: false };
  }, true);
  input.addEventListener('beforeinput', (event) => {
    if (state.pending) return;
    state.pending = { start: event.timeStamp, via: 'input', inputAt: null, text: null, before: '', pendingAt: null, idbStart: null, idbLast: null, committed: false };
  }, true);
  input.addEventListener('input', () => {
    if (!state.pending) return;
    state.pending.inputAt = performance.now();
    state.pending.text = input.value;
    state.pending.before = count.textContent ?? '';
  }, true);

  const openCursor = IDBIndex.prototype.openCursor;
  IDBIndex.prototype.openCursor = function (this: IDBIndex, ...args: Parameters<IDBIndex['openCursor']>) {
    const request = openCursor.apply(this, args);
    const pending = state.pending;
    if (pending && pending.pendingAt !== null && pending.idbStart === null && this.objectStore.transaction.db.name.endsWith('--customers')) {
      pending.idbStart = performance.now();
      request.addEventListener('success', () => {
        if (state.pending === pending) pending.idbLast = performance.now();
      });
    }
    return request;
  };

  new MutationObserver(() => {
    const pending = state.pending;
    if (!pending || pending.committed || pending.text === null || input.value !== pending.text) return;
    const shown = count.textContent ?? '';
    if (shown === '') {
      pending.pendingAt ??= performance.now();
      return;
    }
    // The lookup answers synchronously from the in-memory index: the new text and its results commit
    // together and the count may not change ("20" → "20"), so React's commit of the text (the input's
    // value attribute) with a count shown also ends the keystroke.
    const textCommitted = input.getAttribute('value') === pending.text;
    if (pending.pendingAt === null && shown === pending.before && !textCommitted) return;
    pending.committed = true;
    const commit = performance.now();
    const results = root.querySelectorAll('[data-testid="lookup-result"]').length;
    requestAnimationFrame(() => {
      const frame = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const { via, text, start, inputAt, pendingAt, idbStart, idbLast } = pending;
        const painted = performance.now();
        state.samples.push({ via, text: text ?? '', start, inputAt, pendingAt, idbStart, idbLast, commit, frame, painted, results });
        if (options.marks) performance.measure(`keystroke ${JSON.stringify(text)}`, { start, end: frame });
        channel.port1.close();
        state.pending = null;
      };
      channel.port2.postMessage(null);
    });
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['value'] });
}
