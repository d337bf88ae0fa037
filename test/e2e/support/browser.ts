import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../../helpers/web-build.ts';

/** Debian's Chromium (CI installs it in .ci/run); PATRON_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.PATRON_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go (gitignored): kept after the run as the suite's artifacts. */
export const ARTIFACTS = path.join(REPO, 'test-results/e2e');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** One terminal: a browser profile of its own (own IndexedDB, storage and service worker) and its page. */
export interface BrowserTerminal {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and console errors, in order. */
  readonly problems: string[];
  screenshot(file: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** Chromium's fake camera showing a Y4M video (support/fake-camera.ts), its permission granted without a prompt. */
function cameraArgs(video: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`];
}

/**
 * Launches Chromium on a fresh profile folder (removed on close), English UI, a tablet-sized window; with
 * `camera`, the device has a camera that films that Y4M file. Without it the browser has no camera at all.
 */
export async function openTerminal(name: string, options: { locale?: string; camera?: string } = {}): Promise<BrowserTerminal> {
  const profile = mkdtempSync(path.join(tmpdir(), `patron-e2e-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: options.camera ? [...CHROMIUM_ARGS, ...cameraArgs(options.camera)] : CHROMIUM_ARGS,
    locale: options.locale ?? 'en-US',
    timezoneId: 'Asia/Tehran',
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  if (process.env.E2E_DEBUG_ERRORS) await recordEveryException(context, page, problems);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    name,
    context,
    page,
    problems,
    async screenshot(file, fullPage = false) {
      const target = path.join(ARTIFACTS, file);
      await page.screenshot({ path: target, fullPage });
      return target;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Debugging aid (E2E_DEBUG_ERRORS=1, with an unminified build): every exception thrown in the page, caught
 * or not, joins the problems with its stack and async stack — the app shows caught boot errors only as
 * "Something went wrong". Problems are written next to the screenshots when a step fails.
 */
async function recordEveryException(context: BrowserContext, page: Page, problems: string[]): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.setPauseOnExceptions', { state: 'all' });
  await cdp.send('Debugger.setAsyncCallStackDepth', { maxDepth: 16 });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) problems.push(`navigated: ${frame.url()}`);
  });
  cdp.on('Debugger.paused', (event) => {
    const description = (event.data as { description?: string } | undefined)?.description ?? '';
    const frames = event.callFrames.slice(0, 12).map((f) => `${f.functionName}@${f.location.lineNumber}`).join(' < ');
    const chain: string[] = [];
    for (let trace = event.asyncStackTrace; trace; trace = trace.parent) {
      chain.push(`[${trace.description ?? ''}] ${trace.callFrames.slice(0, 40).map((f) => `${f.functionName}@${f.lineNumber}`).join(' < ')}`);
    }
    problems.push(`thrown: ${description.slice(0, 200)}\n  frames: ${frames}\n  async: ${chain.join(' <<< ')}`);
    void cdp.send('Debugger.resume').catch(() => {});
  });
}

/**
 * Problems that are bugs wherever they happen: uncaught errors and CSP violations. Failed requests while
 * the server is deliberately down ("net::ERR_CONNECTION_REFUSED") are expected and not listed.
 */
export function realProblems(problems: readonly string[]): string[] {
  return problems.filter((p) => p.startsWith('pageerror:') || /Content Security Policy|Refused to/i.test(p));
}
