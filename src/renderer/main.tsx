import './lib/zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { createRuntime } from './app/runtime.ts';
import { initialLocale, setupI18n } from './i18n/setup.ts';
import { getPlatform } from './lib/platform.ts';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');

const storage = globalThis.localStorage;
await setupI18n(initialLocale(storage, navigator.languages), storage, document);
const runtime = createRuntime(getPlatform(), location.origin);

createRoot(container).render(
  <StrictMode>
    <App runtime={runtime} />
  </StrictMode>,
);
