// Placeholder: the feature's owner replaces this page.
export function SettingsPage() {
  return null;
}
