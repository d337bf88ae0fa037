import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense, lazy, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLive } from '../lib/useLive.ts';
import { useStaff } from '../lib/hooks.ts';
import type { Runtime, Terminal } from './runtime.ts';
import { TerminalContext } from './terminal-context.ts';
import { AppShell } from './AppShell.tsx';

const EnrolPage = lazy(() => import('../features/enrol/EnrolPage.tsx').then((m) => ({ default: m.EnrolPage })));
const SignInPage = lazy(() => import('../features/signin/SignInPage.tsx').then((m) => ({ default: m.SignInPage })));

// TanStack Query is for request/response work only (enrolment, server health, exports) — never a mirror of
// RxDB documents, which the UI reads with live queries (docs/architecture.md#data-flow).
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

/** The app: enrolment until the device is enrolled, then staff sign-in, then the counter and its pages. */
export function App({ runtime }: { runtime: Runtime }) {
  const { t } = useTranslation();
  const state = useLive(() => runtime.state$, [runtime], runtime.state$.getValue());
  const [bootError, setBootError] = useState<string | null>(null);
  useEffect(() => {
    runtime.boot().catch((error: unknown) => setBootError(error instanceof Error ? error.message : String(error)));
  }, [runtime]);

  const fallback = <p role="status">{t('loading')}</p>;
  let body;
  if (bootError) body = <p role="alert">{t('errors.unknown')}</p>;
  else if (state.phase === 'starting') body = fallback;
  else if (state.phase === 'enrol') body = <EnrolPage runtime={runtime} />;
  else body = <TerminalGate terminal={state.terminal} />;
  return (
    <QueryClientProvider client={queryClient}>
      <Suspense fallback={fallback}>{body}</Suspense>
    </QueryClientProvider>
  );
}

function TerminalGate({ terminal }: { terminal: Terminal }) {
  const staff = useStaff(terminal);
  const signedIn = staff !== null;
  // Whoever signs in next starts at the counter, not on the page the last person (a manager) left open.
  useEffect(() => {
    if (!signedIn && location.hash !== '' && location.hash !== '#/counter') history.replaceState(null, '', '#/counter');
  }, [signedIn]);
  return <TerminalContext.Provider value={terminal}>{staff ? <AppShell /> : <SignInPage />}</TerminalContext.Provider>;
}
