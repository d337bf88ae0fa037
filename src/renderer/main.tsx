import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App.tsx';
import { createRuntime } from './app/runtime.ts';
import { initialLocale, setupI18n } from './i18n/setup.ts';
import { getPlatform } from './lib/platform.ts';
import './styles.css';

// zod probes for eval with `new Function("")` on first use, which the strict CSP refuses (and reports).
z.config({ jitless: true });

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
