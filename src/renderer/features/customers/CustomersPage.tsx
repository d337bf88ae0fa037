// Placeholder: the feature's owner replaces this page.
export function CustomersPage() {
  return null;
}
