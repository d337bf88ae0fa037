import { Suspense, lazy, useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react';
import { useTranslation } from 'react-i18next';
import { useStaff } from '../lib/hooks.ts';
import { useTerminal } from './terminal-context.ts';
import { SyncStatusBar } from '../components/SyncStatusBar.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { forgetAnalyticsOnErasure } from '../features/analytics/forget-erased.ts';
import { indexedDbStateStore } from '../features/analytics/persisted-state.ts';

type Route = 'counter' | 'customers' | 'analytics' | 'inbox' | 'settings' | 'devices' | 'staff';

const pages: Record<Route, LazyExoticComponent<ComponentType>> = {
  counter: lazy(() => import('../features/counter/CounterPage.tsx').then((m) => ({ default: m.CounterPage }))),
  customers: lazy(() => import('../features/customers/CustomersPage.tsx').then((m) => ({ default: m.CustomersPage }))),
  analytics: lazy(() => import('../features/analytics/AnalyticsPage.tsx').then((m) => ({ default: m.AnalyticsPage }))),
  inbox: lazy(() => import('../features/inbox/InboxPage.tsx').then((m) => ({ default: m.InboxPage }))),
  settings: lazy(() => import('../features/settings/SettingsPage.tsx').then((m) => ({ default: m.SettingsPage }))),
  devices: lazy(() => import('../features/devices/DevicesPage.tsx').then((m) => ({ default: m.DevicesPage }))),
  staff: lazy(() => import('../features/staff/StaffPage.tsx').then((m) => ({ default: m.StaffPage }))),
};
/** Pages only managers and owners see. */
const MANAGER_ROUTES: readonly Route[] = ['analytics', 'inbox', 'settings', 'devices'];
/** Pages only owners see. */
const OWNER_ROUTES: readonly Route[] = ['staff'];

function routeFromHash(hash: string): Route {
  // A page may keep its own state after `?` (the customers list's view).
  const name = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return name in pages ? (name as Route) : 'counter';
}

/** The signed-in app: navigation, the sync status that is always visible, and the current page. */
export function AppShell() {
  const { t } = useTranslation();
  const terminal = useTerminal();
  const staff = useStaff(terminal);
  const [route, setRoute] = useState<Route>(() => routeFromHash(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // While the app runs, an erasure arriving in the replica drops the dashboard's persisted input.
  useEffect(() => forgetAnalyticsOnErasure(terminal.queries.replica, indexedDbStateStore()), [terminal]);
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';
  const isOwner = staff?.role === 'owner';
  const visible = (Object.keys(pages) as Route[]).filter((r) => (isManager || !MANAGER_ROUTES.includes(r)) && (isOwner || !OWNER_ROUTES.includes(r)));
  const current = visible.includes(route) ? route : 'counter';
  const Page = pages[current];
  return (
    <div className="shell">
      <header className="shell-header">
        <nav aria-label={t('appName')}>
          <ul className="nav">
            {visible.map((r) => (
              <li key={r}>
                <a href={`#/${r}`} aria-current={r === current ? 'page' : undefined}>
                  {t(`nav.${r}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="shell-tools">
          <LanguageSwitch />
          <span className="staff-name">{staff?.name}</span>
          <button type="button" onClick={() => terminal.session.signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <SyncStatusBar />
      <main className="shell-main">
        <Suspense fallback={<p role="status">{t('loading')}</p>}>
          <Page />
        </Suspense>
      </main>
    </div>
  );
}
