// Placeholder: the feature's owner replaces this page.
export function SignInPage() {
  return null;
}
