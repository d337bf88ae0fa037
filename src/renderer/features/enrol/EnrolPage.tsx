import type { Runtime } from '../../app/runtime.ts';

// Placeholder: the feature's owner replaces this page.
export function EnrolPage(_props: { runtime: Runtime }) {
  return null;
}
