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
export async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  // a string: this code runs in the page, where document and window exist
  return page.evaluate(`(() => {
    const wide = [];
    for (const el of document.querySelectorAll('section, .uplot, canvas, table, .cards, .hero')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 && !el.closest('.scroll'))
        wide.push(el.tagName.toLowerCase() + '#' + el.id + '.' + el.className + ' right=' + Math.round(r.right));
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide };
  })()`);
}

/** Text of an element carrying data-figure="NAME". */
export function figure(page: Page, name: string): Promise<string> {
  return page.locator(`[data-figure="${name}"]`).first().innerText();
}
