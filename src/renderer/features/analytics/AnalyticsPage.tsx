// Placeholder: the feature's owner replaces this page.
export function AnalyticsPage() {
  return null;
}
