// Placeholder: the feature's owner replaces this page.
export function CounterPage() {
  return null;
}
