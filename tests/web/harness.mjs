// Starts a real `cairn serve` on 127.0.0.1 with a fresh data directory
// holding the real events of ../shared/data/misp-feed, and Debian's
// chromium through playwright-core.  Nothing here talks to any other
// address: Chromium runs with the flags that stop its calls home.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple';
export const EMAIL = 'admin@admin.test';

export function cairnBin() {
  const p = process.env.CAIRN_BIN || join(REPO, 'build', 'cairn');
  return resolve(REPO, p);
}

export function sharedData() {
  return process.env.CAIRN_SHARED_DATA || join(REPO, '..', 'shared', 'data');
}

function run(args, input) {
  const r = spawnSync(cairnBin(), args, { input, encoding: 'utf8', timeout: 900000 });
  if (r.status !== 0) throw new Error(`cairn ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

// A data directory with the admin's password, the feed events and the
// files of `options.imports` imported, and a server on it.  Returns
// {base, key, dir, stop()}.
export async function startServer(options) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-web-'));
  const out = run(['init', '--data', dir]).trim().split('\n');
  const key = out[out.length - 1].trim();
  run(['init', '--data', dir, '--password-stdin'], `${PASSWORD}\n`);
  const feed = join(sharedData(), 'misp-feed');
  if (!existsSync(feed)) throw new Error(`the feed folder ${feed} is missing (set CAIRN_SHARED_DATA)`);
  run(['import', '--data', dir, join(feed, 'curated'), join(feed, 'tweetfeed'), ...((options && options.imports) || [])]);
  const port = await freePort();
  const server = spawn(cairnBin(), ['serve', '--data', dir, '--listen', `127.0.0.1:${port}`,
    '--library', sharedData(), '--threads', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; if (log.length > 200000) log = log.slice(-100000); });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${base}/health`)).ok) break; } catch (e) { /* not up yet */ }
    if (server.exitCode !== null) throw new Error(`cairn serve exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base, key, dir, log: () => log,
    async api(path, body) {
      const res = await fetch(base + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { Authorization: key, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    // The X-Result-Count of a search with a limit: the number of matches.
    async count(path, body) {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { Authorization: key, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...body, limit: 1 }),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return Number(res.headers.get('X-Result-Count'));
    },
    stop() {
      server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Chromium from Debian, headless, with no network of its own.
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'cairn-chromium-'));
  // playwright passes the profile as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// Tells whether the browser tests can run here; in CI they must.
export function chromiumCheck() {
  if (existsSync(CHROMIUM)) return null;
  const why = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.CI === 'true') {
    console.error(`error: ${why}, and CI=true requires the browser tests`);
    process.exit(1);
  }
  return why;
}
