// Placeholder: the feature's owner replaces this page.
export function InboxPage() {
  return null;
}
