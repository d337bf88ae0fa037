import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  ARTIFACTS,
  chromiumAvailable,
  CHROMIUM,
  openTerminal,
  realProblems,
  type BrowserTerminal,
} from './support/browser.ts';
import { byTestId, enrolInDemo, signIn, switchLanguage, text, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// The dashboard's charts (issue 7 item 1) in Chromium, on the production build the sync server serves: the
// chart library stays out of what the counter loads, the charts draw under the app's strict CSP with no
// violation reported, each is named by its caption and agrees with the data table beside it (the tooltip a
// keyboard user reaches, the CSV it exports, the KPI it sums to), and in Persian the labels, tooltips and
// dates are Persian — digits and calendar — with the plot mirrored.

const STEP = 120_000;
/** The caption keys of the dashboard's charts: two time series, then bar charts. */
const TIME_CHARTS = ['analytics:charts.revenueDaily', 'analytics:charts.visitsDaily'];
const BAR_CHARTS = [
  'analytics:charts.frequency',
  'analytics:charts.segments',
  'analytics:charts.tiers',
  'analytics:charts.ratings',
  'analytics:loyalty.chart',
];
/** "۱ آبان": a day of a month of the Persian calendar (Gregorian months in Persian are اکتبر, نوامبر…). */
const PERSIAN_MONTH_DAY = /^[۰-۹]{1,2} (فروردین|اردیبهشت|خرداد|تیر|مرداد|امرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند)$/;

let web: WebBuild;
let server: DemoServer;
let manager: BrowserTerminal;
/** Built files that hold recharts (found by a class name its code writes), as the page requests them. */
let chartFiles: string[];
/** Paths of every script the page requested, in order. */
const requested: string[] = [];

declare global {
  interface Window {
    /** CSP violations the page reported (the init script below). */
    __cspViolations?: string[];
  }
}

function onFailureScreenshot(ctx: TestContext): void {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await manager?.screenshot(`FAILED-charts-${name}.png`, true).catch(() => {});
    if (manager) writeFileSync(path.join(ARTIFACTS, `FAILED-charts-${name}.log`), manager.problems.join('\n'));
  });
}

/** The chart figure whose caption contains the text of `key`. */
function figure(page: Page, locale: 'en' | 'fa', key: string): Locator {
  return page.locator('figure.chart').filter({ has: page.locator('figcaption', { hasText: text(locale, key) }) });
}

/** Opens a chart's data disclosure; returns its table's body cells, row by row. */
async function chartTable(chart: Locator): Promise<string[][]> {
  const details = chart.locator('details.chart-data');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await details.locator('table').waitFor();
  return details
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** The tooltip's label and value (empty while it is hidden). */
async function tooltipText(chart: Locator): Promise<[string, string]> {
  return chart
    .locator('.chart-tooltip-idle, .chart-tooltip')
    .evaluate((el) => [
      el.querySelector('.chart-tooltip-label')?.textContent ?? '',
      el.querySelector('.chart-tooltip-value')?.textContent ?? '',
    ]);
}

/**
 * What the tooltip says as a keyboard user first meets the chart: focus lands on the first point (recharts'
 * accessibility layer), then `next` steps to the second.
 */
async function keyboardTooltips(chart: Locator, next: 'ArrowRight' | 'ArrowLeft'): Promise<[string, string][]> {
  await chart.locator('svg.recharts-surface').focus();
  await chart.locator('.chart-tooltip').waitFor();
  const first = await tooltipText(chart);
  await chart.page().keyboard.press(next);
  await expect.poll(() => tooltipText(chart)).not.toEqual(first);
  return [first, await tooltipText(chart)];
}

/** Text and box of the tick labels of an axis (`x` or `y`) of a chart. */
async function ticks(
  chart: Locator,
  axis: 'x' | 'y',
): Promise<{ text: string; left: number; right: number; direction: string }[]> {
  return chart.locator(`.recharts-${axis}Axis-tick-labels .chart-tick`).evaluateAll((els) =>
    els.map((el) => {
      const box = el.getBoundingClientRect();
      // A wrapped label is a line per <tspan>: read it as the words it wraps.
      const lines = [...el.querySelectorAll('tspan')].map((line) => line.textContent ?? '');
      return { text: lines.join(' '), left: box.left, right: box.right, direction: getComputedStyle(el).direction };
    }),
  );
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__cspViolations ?? []);
}

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set PATRON_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  web = await buildWebApp();
  chartFiles = web
    .assets()
    .filter((a) => a.text.includes('recharts-wrapper'))
    .map((a) => `/assets/${a.file}`);
  server = await startDemoServer({ webRoot: web.dir, customers: 120 });
  manager = await openTerminal('charts-manager');
  // Before any page script runs: every CSP violation the page reports, and every script it requests.
  await manager.context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations?.push(
        `${e.violatedDirective}: ${e.blockedURI || e.sample} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  manager.page.on('request', (request) => {
    if (request.resourceType() === 'script') requested.push(new URL(request.url()).pathname);
  });
}, STEP);

afterAll(async () => {
  await manager?.close();
  await server?.dispose();
  web?.remove();
});

describe('dashboard charts in Chromium (production build, strict CSP)', () => {
  it(
    'keeps the chart library out of what the counter loads',
    async (ctx) => {
      onFailureScreenshot(ctx);
      expect(chartFiles.length, 'no built file holds recharts: the marker is stale').toBeGreaterThan(0);
      const page = manager.page;
      await enrolInDemo(page, server.url);
      await signIn(page, server.manager);
      await waitForSync(page, { initialSync: 'done', connection: 'online' });
      // The counter is open and working, and the page asked for some scripts — none of them recharts.
      expect(requested.length).toBeGreaterThan(3);
      expect(requested.filter((file) => chartFiles.includes(file))).toEqual([]);
    },
    STEP,
  );

  it(
    'draws every chart with recharts, named by its caption, with no CSP violation',
    async (ctx) => {
      onFailureScreenshot(ctx);
      const page = manager.page;
      // What happens from here on is the dashboard's. (Earlier, on the counter, zod 4 probes once whether eval
      // is allowed — `Function('')` in a try — and Chromium reports that probe; it is not the charts'.)
      await page.evaluate(() => (window.__cspViolations = []));
      await page.getByRole('link', { name: text('en', 'nav.analytics') }).click();
      await byTestId(page, 'analytics-page').waitFor();
      await byTestId(page, 'kpi-visits').waitFor({ timeout: 60_000 });
      await byTestId(page, 'analytics-loading').waitFor({ state: 'detached', timeout: 60_000 });
      // The demo's visits have reached the dashboard (the charts below are then drawn from them).
      const visits = page.locator('[data-testid="kpi-visits"] dd');
      await expect
        .poll(async () => Number(((await visits.textContent()) ?? '').replace(/,/g, '')), { timeout: 30_000 })
        .toBeGreaterThan(0);
      expect(
        requested.some((file) => chartFiles.includes(file)),
        'opening the dashboard loads the chart chunk',
      ).toBe(true);

      for (const key of [...TIME_CHARTS, ...BAR_CHARTS]) {
        const caption = (await figure(page, 'en', key).locator('figcaption').textContent()) ?? '';
        // The SVG recharts draws is a keyboard-focusable application named by the caption.
        const chart = page.getByRole('application', { name: caption, exact: true });
        await expect(chart.count(), key).resolves.toBe(1);
        await expect(chart.getAttribute('tabindex')).resolves.toBe('0');
        await expect.poll(() => chart.locator('.recharts-layer').count(), { message: key }).toBeGreaterThan(0);
      }
      // Colours come from analytics.css (the accent variable), not recharts' presentation attributes.
      const series = page.locator('figure.chart[data-chart="time"] .recharts-area-curve').first();
      const accent = await page.evaluate(() => {
        const probe = document.createElement('span');
        probe.className = 'chart-plot';
        document.body.append(probe);
        const colour = getComputedStyle(probe).color;
        probe.remove();
        return colour;
      });
      await expect.poll(() => series.evaluate((el) => getComputedStyle(el).stroke)).toBe(accent);
      await page.locator('section.charts').screenshot({ path: path.join(ARTIFACTS, 'charts-en.png') });
      await page
        .locator('section[aria-labelledby="loyalty-title"]')
        .screenshot({ path: path.join(ARTIFACTS, 'charts-loyalty-en.png') });
      expect(await cspViolations(page)).toEqual([]);
      expect(realProblems(manager.problems)).toEqual([]);
    },
    STEP,
  );

  it(
    'agrees with the table beside each chart: the keyboard tooltip, the CSV and the KPI',
    async (ctx) => {
      onFailureScreenshot(ctx);
      const page = manager.page;
      for (const key of [...TIME_CHARTS, ...BAR_CHARTS]) {
        const chart = figure(page, 'en', key);
        const rows = await chartTable(chart);
        // The tooltips a keyboard user reaches say what the first two rows say.
        expect(rows.length, key).toBeGreaterThan(1);
        await expect(keyboardTooltips(chart, 'ArrowRight'), key).resolves.toEqual(rows.slice(0, 2));
        if (BAR_CHARTS.includes(key)) {
          // Every category is labelled on the axis, in table order (ratings show stars where the table says "n stars").
          const labels = (await ticks(chart, 'x')).map((t) => t.text);
          expect(labels, key).toEqual(
            key.endsWith('ratings') ? rows.map((_, i) => '★'.repeat(i + 1)) : rows.map((r) => r[0]),
          );
        }
      }

      // The visits-per-day CSV: ISO days and plain numbers, one line per table row, summing to the KPI.
      const chart = figure(page, 'en', 'analytics:charts.visitsDaily');
      const rows = await chartTable(chart);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        chart
          .getByRole('button', {
            name: text('en', 'analytics:exportTable', { table: text('en', 'analytics:charts.visitsDaily') }),
          })
          .click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(csv[0]).toBe(`${text('en', 'analytics:charts.day')},${text('en', 'analytics:kpis.visits')}`);
      const lines = csv.slice(1).map((line) => line.split(','));
      expect(lines).toHaveLength(rows.length);
      for (const [day, visits] of lines) {
        expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(visits).toMatch(/^\d+$/);
      }
      const kpi = Number(((await page.locator('[data-testid="kpi-visits"] dd').textContent()) ?? '').replace(/,/g, ''));
      expect(kpi).toBeGreaterThan(0);
      expect(lines.reduce((sum, [, visits]) => sum + Number(visits), 0)).toBe(kpi);
    },
    STEP,
  );

  it(
    'speaks Persian: Persian digits and calendar, mirrored plot, right-to-left labels and tooltip',
    async (ctx) => {
      onFailureScreenshot(ctx);
      const page = manager.page;
      await switchLanguage(page, 'fa');
      await page.getByRole('heading', { name: text('fa', 'analytics:charts.title'), level: 2 }).waitFor();

      const visits = figure(page, 'fa', 'analytics:charts.visitsDaily');
      await visits.locator('.chart-tick').first().waitFor();
      const days = await ticks(visits, 'x');
      const values = await ticks(visits, 'y');
      // Days of Persian months in Persian digits; no Latin digit anywhere on the axes.
      for (const t of days) expect(t.text).toMatch(PERSIAN_MONTH_DAY);
      for (const t of [...days, ...values]) expect(t.text).not.toMatch(/[0-9]/);
      // Time runs right to left: the first labelled day is the rightmost.
      expect(days.length).toBeGreaterThan(1);
      expect(days[0]!.left).toBeGreaterThan(days.at(-1)!.left);
      // The value axis stands on the right, its labels right-to-left and outside the plot (the anchor flip).
      const grid = await visits.locator('.recharts-cartesian-grid').boundingBox();
      expect(grid).not.toBeNull();
      for (const t of values) {
        expect(t.direction).toBe('rtl');
        expect(t.left).toBeGreaterThanOrEqual(grid!.x + grid!.width - 1);
      }

      // The tooltip: a right-to-left box with the day in the Persian calendar and the count in Persian digits,
      // as the table beside the chart has them. In a right-to-left chart the left arrow steps forward in time
      // and the right arrow back (the chart was visited in English: recharts resumes where the user left it).
      const rows = await chartTable(visits);
      await visits.locator('svg.recharts-surface').focus();
      await page.keyboard.press('ArrowLeft');
      await visits.locator('.chart-tooltip').waitFor();
      const reached = await tooltipText(visits);
      const at = rows.findIndex((row) => row[0] === reached[0] && row[1] === reached[1]);
      expect(at, `the tooltip ${reached.join(' ')} is no row of the table`).toBeGreaterThan(0);
      expect(reached[0]).toMatch(/۱۴[۰-۹]{2}/);
      expect(reached[1]).toMatch(/^[۰-۹٬]+$/);
      await expect(visits.locator('.chart-tooltip').getAttribute('dir')).resolves.toBe('rtl');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => tooltipText(visits)).toEqual(rows[at - 1]);

      // A category chart: Persian labels, the first category on the right, the value axis on the right.
      const segments = figure(page, 'fa', 'analytics:charts.segments');
      const labels = await ticks(segments, 'x');
      expect(labels[0]!.text).toBe(text('fa', 'common:segment.none'));
      expect(labels.map((l) => l.text)).toContain(text('fa', 'common:segment.vip'));
      expect(labels[0]!.left).toBeGreaterThan(labels.at(-1)!.left);
      const plot = await segments.locator('.recharts-cartesian-grid').boundingBox();
      for (const v of await ticks(segments, 'y')) expect(v.left).toBeGreaterThanOrEqual(plot!.x + plot!.width - 1);

      await page.locator('section.charts').screenshot({ path: path.join(ARTIFACTS, 'charts-fa.png') });
      expect(await cspViolations(page)).toEqual([]);
      expect(realProblems(manager.problems)).toEqual([]);
      await switchLanguage(page, 'en');
    },
    STEP,
  );

  it('would have caught a CSP violation: an inline style is refused and reported', async () => {
    const page = manager.page;
    expect(await cspViolations(page)).toEqual([]);
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = '.probe { color: red; }';
      document.head.append(style);
      document.body.setAttribute('style', 'outline: 1px solid red');
    });
    await expect.poll(() => cspViolations(page)).toHaveLength(2);
    expect((await cspViolations(page)).every((v) => v.startsWith('style-src'))).toBe(true);
  });
});
