// Placeholder: the counter's owner replaces this component.
export function SyncStatusBar() {
  return null;
}
