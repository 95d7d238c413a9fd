/**
 * A page in headless Chromium driven by playwright-core (the system's /usr/bin/chromium; no
 * browser is downloaded), recording every request the page makes, for tests that read a page
 * more than once.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.js';

export interface OpenPage {
  readonly page: Page;
  /** Every URL the page requested (documents, scripts, event streams, images...). */
  readonly requests: string[];
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

let shared: Promise<Browser> | undefined;

/** One browser per test process; pages are cheap. */
export function browser(): Promise<Browser> {
  shared ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  if (!shared) return;
  const b = await shared;
  shared = undefined;
  await b.close();
}

export async function openPage(url: string, width: number, height = 900): Promise<OpenPage> {
  const b = await browser();
  const context = await b.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000); // a loaded machine starts pages slowly
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, consoleErrors, close: () => context.close() };
}

/** Widths that overflow: the document's, and every chart or canvas wider than the viewport. */
/** The little of the DOM these helpers touch (the tests compile without the DOM library). */
interface El {
  readonly id: string;
  readonly className: string;
  readonly tagName: string;
  readonly textContent: string | null;
  getBoundingClientRect(): { right: number };
  closest(sel: string): El | null;
}
export interface PageGlobals {
  readonly document: {
    querySelector(sel: string): El | null;
    querySelectorAll(sel: string): Iterable<El>;
    getElementById(id: string): El | null;
    readonly documentElement: { readonly scrollWidth: number };
  };
  readonly innerWidth: number;
}

/** Functions run in the page see its globals through this. */
export const inPage = () => globalThis as unknown as PageGlobals;

export async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const wide: string[] = [];
    for (const el of w.document.querySelectorAll('section, .uplot, canvas, table, .cards, .hero')) {
      const r = el.getBoundingClientRect();
      if (r.right > w.innerWidth + 0.5 && !el.closest('.scroll'))
        wide.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(r.right)}`);
    }
    return { scrollWidth: w.document.documentElement.scrollWidth, innerWidth: w.innerWidth, wide };
  });
}

/** Waits until the live page has had a message from its server (or the run is over). */
export async function updated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as PageGlobals).document;
    const text = d.getElementById('live-text')?.textContent ?? '';
    return text.startsWith('Live: updated') || d.querySelector('body[data-state="final"]') !== null;
  });
}

/** Waits until figure `name` no longer reads `text`. */
export async function changed(page: Page, name: string, text: string, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([n, t]) =>
      ((globalThis as unknown as PageGlobals).document.querySelector(`[data-figure="${n}"]`)?.textContent ?? t) !== t,
    [name, text] as const,
    { timeout },
  );
}

/** Text of an element carrying data-figure="NAME". */
export function figure(page: Page, name: string): Promise<string> {
  return page.locator(`[data-figure="${name}"]`).first().innerText();
}
