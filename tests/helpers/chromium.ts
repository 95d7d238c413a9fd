/** Headless Chromium helpers for tests: find it, run it with safe flags, or skip. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Skip reason, or undefined when Chromium is there. Throws when services are required. */
export function chromiumSkip(): string | undefined {
  if (CHROMIUM) return undefined;
  const msg = 'chromium not installed (apt-get install -y chromium); HTML rendering test skipped';
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') throw new Error(`${msg} but SLUICE_REQUIRE_SERVICES=1`);
  return msg;
}

export interface ChromiumResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Runs headless Chromium on a URL with extra flags (e.g. --dump-dom, --screenshot=FILE). */
export function runChromium(url: string, flags: readonly string[], timeoutMs = 60_000): Promise<ChromiumResult> {
  const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--virtual-time-budget=5000',
    ...flags,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/**
 * A checker injected (in tests only) at the top of a page: records console errors, script errors and
 * failed resource loads, then on load writes a JSON verdict with each chart's drawn values (from the
 * page's `sluicePage.drawn()`) and size into <pre id="sluice-check">.
 */
export const CHECKER = `<script>
window.__sluiceErrors = [];
const __origError = console.error;
console.error = (...a) => { window.__sluiceErrors.push(a.join(' ')); __origError.apply(console, a); };
addEventListener('error', (e) => window.__sluiceErrors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || '?')), true);
addEventListener('load', () => {
  const drawn = window.sluicePage ? window.sluicePage.drawn() : [];
  const charts = [...document.querySelectorAll('section.chart')].map((s) => {
    const box = s.getBoundingClientRect();
    const d = drawn.find((c) => c.id === s.id);
    return { label: s.getAttribute('aria-label'), marks: d ? d.points : 0, width: box.width, height: box.height, empty: s.classList.contains('empty') };
  });
  const pre = document.createElement('pre');
  pre.id = 'sluice-check';
  pre.textContent = JSON.stringify({ errors: window.__sluiceErrors, charts });
  document.body.appendChild(pre);
});
</script>`;

/** Pulls the checker's verdict out of --dump-dom output. */
export function readVerdict(dom: string): {
  errors: string[];
  charts: Array<{ label: string; marks: number; width: number; height: number; empty: boolean }>;
} {
  const m = /<pre id="sluice-check">([\s\S]*?)<\/pre>/.exec(dom);
  if (!m) throw new Error(`no checker verdict in the DOM (page did not load?): ${dom.slice(0, 300)}`);
  const text = m[1]
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return JSON.parse(text);
}
