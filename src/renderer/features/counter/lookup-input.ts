import { phoneQuery } from '../../../sync/model/phone.ts';

/** What the sign-up form starts with when the lookup found nobody: the typed phone, or the typed name. */
export function prefillFromLookup(typed: string, defaultRegion: string): { phone: string; name: string } {
  const text = typed.trim();
  if (text === '') return { phone: '', name: '' };
  return phoneQuery(text, defaultRegion).kind === 'none' ? { phone: '', name: text } : { phone: text, name: '' };
}

/** The next highlighted row for an arrow key (wraps around; -1 = none highlighted). */
export function moveHighlight(current: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count === 0) return -1;
  if (key === 'ArrowDown') return current < 0 || current >= count - 1 ? 0 : current + 1;
  return current <= 0 ? count - 1 : current - 1;
}

