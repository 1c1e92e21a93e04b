// Browser tests of the web UI: Debian's chromium, driven by
// playwright-core, against a real `cairn serve` loaded with the feed's
// real events.  Screenshots of each page go to $CAIRN_SCREENSHOTS
// (default build/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumCheck, launchBrowser, sharedData, startServer, EMAIL, PASSWORD, REPO } from './harness.mjs';
import { BIG_UUID, bigValue, writeBigEvent } from './generate.mjs';

const skip = chromiumCheck();
if (skip) {
  console.log(`skipped: browser tests: ${skip}`);
  process.exit(0);
}

const SHOTS = process.env.CAIRN_SCREENSHOTS || join(REPO, 'build', 'screenshots');
const XSS = '<img src=x onerror="window.__xss=1">';
const SCRIPT = '<script>window.__xss=2</script>';
const WIDGETS = ['totals', 'timeline', 'threat_levels', 'analysis', 'top_taxonomies', 'attribute_types',
  'attribute_categories', 'top_tags', 'top_orgs', 'attack_patterns', 'correlated_values', 'recent_sightings', 'latest_events'];
const CHARTS = ['timeline', 'threat_levels', 'analysis', 'top_taxonomies', 'attribute_types', 'attribute_categories', 'top_tags', 'top_orgs', 'attack_patterns'];

const ANALYST = 'analyst@second.test';
const LOCKED = 'locked@second.test';
const GROUP = 'Browser test group';

let srv, br, page, xssEvent, generated;
const consoleErrors = [];

// Writes the whole page, and the first screen as NAME-screen.png.
async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}-screen.png`) });
}

// Writes one part of the page, found by a locator, cut from the whole
// page so that the sticky top bar does not cover it.
async function shotOf(locator, name) {
  mkdirSync(SHOTS, { recursive: true });
  const box = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, clip: box });
}

// Waits until the router has rendered the page named by the hash.
async function open(hash) {
  const before0 = await page.evaluate(() => document.getElementById('main').dataset.ready || '');
  await page.evaluate((h) => {
    if (location.hash === h || (h === '#/' && location.hash === '')) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = h;
  }, hash);
  await page.waitForFunction((b) => {
    const m = document.getElementById('main');
    return m.dataset.ready && m.dataset.ready !== b;
  }, before0);
}

// The fields of one RFC 4180 record without line breaks in its fields.
function csvFields(line) {
  const fields = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re)) fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  return fields;
}

async function login(p) {
  await p.goto(`${srv.base}/#/login`);
  await p.fill('#email', EMAIL);
  await p.fill('#password', PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForSelector('#logout');
}

// A pixel of a canvas that is not the background: the chart drew.
async function canvasDrawn(name) {
  return page.evaluate((n) => {
    const c = document.querySelector(`[data-widget="${n}"] canvas`);
    if (!c || !c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 16) if (d[i] !== 0) return true;
    return false;
  }, name);
}

before(async () => {
  // Screenshots of an earlier run would pass for pages no test shows now.
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(join(SHOTS, f));
  generated = mkdtempSync(join(tmpdir(), 'cairn-web-event-'));
  srv = await startServer({ imports: [writeBigEvent(generated, 10000)] });
  const ev = await srv.api('/events/add', { Event: { info: `XSS ${XSS} ${SCRIPT}`, distribution: 0, threat_level_id: 1,
    Attribute: [{ type: 'comment', category: 'Other', value: XSS, comment: SCRIPT },
      { type: 'ip-dst', category: 'Network activity', value: '8.8.8.8' }] } });
  await srv.api('/warninglists/toggleEnable', { name: 'List of known IPv4 public DNS resolvers', enabled: 1 });
  xssEvent = ev.Event.id;
  await srv.api('/tags/add', { Tag: { name: `xss:${XSS}`, colour: '#ff0000' } });
  await srv.api('/tags/attachTagToObject', { uuid: ev.Event.uuid, tag: `xss:${XSS}` });
  const second = (await srv.api('/admin/organisations/add', { name: 'Second Org' })).Organisation.id;
  for (const email of [ANALYST, LOCKED]) {
    await srv.api('/admin/users/add', { email, org_id: second, role_id: '3', password: PASSWORD });
  }
  await srv.api('/sharing_groups/add', { name: GROUP, releasability: 'the browser tests' });
  br = await launchBrowser();
  page = await br.context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('dialog', (d) => d.accept());
  // Every Content-Security-Policy violation of any page, as reported to
  // the page itself.
  await page.exposeFunction('cspViolation', (v) => consoleErrors.push(`CSP violation: ${v}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => window.cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)));
});

after(async () => {
  if (br) await br.close();
  if (srv) srv.stop();
  if (generated) rmSync(generated, { recursive: true, force: true });
});

test('the page and its files are served with the security headers, without login', async () => {
  const res = await fetch(`${srv.base}/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /style-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await res.text();
  assert.deepEqual(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g), null, 'an inline script');
  assert.deepEqual(html.match(/\son[a-z]+=/g), null, 'an inline event handler');
  assert.deepEqual(html.match(/<style|\sstyle=/g), null, 'an inline style');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const js = await fetch(`${srv.base}/ui/js/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await fetch(`${srv.base}/ui/vendor/echarts.mjs`)).status, 200);
  assert.equal((await fetch(`${srv.base}/ui/../cairn.db`)).status, 404);
  assert.equal((await fetch(`${srv.base}/ui/js/nothing.js`)).status, 404);
  // The widgets are data: they need a login.
  assert.equal((await fetch(`${srv.base}/dashboard/totals`)).status, 403);
});

test('a wrong password shows the error, and the lockout is told apart', async () => {
  await page.goto(`${srv.base}/`);
  await page.waitForSelector('#email');
  await shot('login');
  await page.fill('#email', 'nobody@example.org');
  for (let i = 0; i < 12; i++) {
    await page.fill('#password', 'wrong password!');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => !document.querySelector('#login-error').hidden && !document.querySelector('button[type=submit]').disabled);
    if (await page.$('#login-error.locked')) break;
  }
  const text = await page.textContent('#login-error');
  assert.match(text, /locked/);
  assert.match(text, /wait \d+ seconds/);
  await shot('login-locked');
});

test('log in and see every widget with the API\'s figures', async () => {
  await login(page);
  await page.waitForFunction((n) => document.querySelectorAll('[data-widget][aria-busy="false"]').length === n, WIDGETS.length);
  for (const w of WIDGETS) assert.ok(await page.$(`[data-widget="${w}"]`), `widget ${w} is missing`);
  const errors = await page.$$eval('[data-widget] .alert.error', (els) => els.map((e) => e.textContent));
  assert.deepEqual(errors, []);
  const totals = (await srv.api('/dashboard/totals')).rows;
  for (const { name, count } of totals) {
    const shown = await page.textContent(`[data-total="${name}"] .total-value`);
    assert.equal(Number(shown.replace(/,/g, '')), count, `total ${name}`);
  }
  const index = await srv.api('/events/index');
  assert.equal(totals.find((r) => r.name === 'events').count, index.length);
  const orgs = await srv.api('/organisations/index/scope:all');
  assert.equal(totals.find((r) => r.name === 'organisations').count, orgs.length);
  await settled(page);
  for (const w of CHARTS) assert.ok(await canvasDrawn(w), `chart ${w} drew nothing`);
  for (const w of ['correlated_values', 'recent_sightings', 'latest_events']) {
    const api = (await srv.api(`/dashboard/${w}`)).rows.length;
    const rows = await page.$$eval(`[data-widget="${w}"] tbody tr`, (r) => r.length);
    assert.equal(rows, Math.max(api, 1), `rows of ${w}`);
  }
  await shot('dashboard');
});

// The viewport point at the middle of data item `index` of the chart in
// `selector`, from the layout ECharts drew, and the item's data.
async function chartPoint(selector, index) {
  return page.evaluate(async ([sel, i]) => {
    const echarts = await import('/ui/vendor/echarts.mjs');
    const el = document.querySelector(sel);
    el.scrollIntoView({ block: 'center' });
    const chart = echarts.getInstanceByDom(el);
    const data = chart.getOption().series[0].data[i];
    const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
    const box = el.getBoundingClientRect();
    let x;
    let y;
    if (!layout) {
      [x, y] = chart.convertToPixel({ seriesIndex: 0 }, data.value);
    } else if (Array.isArray(layout)) {
      [x, y] = chart.convertToPixel({ seriesIndex: 0 }, layout);
    } else if (layout.startAngle !== undefined) {
      const angle = (layout.startAngle + layout.endAngle) / 2;
      const radius = (layout.r + layout.r0) / 2;
      x = layout.cx + radius * Math.cos(angle);
      y = layout.cy + radius * Math.sin(angle);
    } else {
      x = layout.x + layout.width / 2;
      y = layout.y + layout.height / 2;
    }
    return { x: box.x + x, y: box.y + y, data };
  }, [selector, index]);
}

async function chartItem(widget, index) {
  return chartPoint(`[data-widget="${widget}"] .chart`, index);
}

// The N of "N of M events" or of "100 of N attributes".
async function listTotal() {
  const text = await page.textContent('#result-count');
  const m = /^[\d,]+ of ([\d,]+) attributes|^([\d,]+) of [\d,]+ events/.exec(text);
  assert.ok(m, text);
  return Number((m[1] || m[2]).replace(/,/g, ''));
}

// The route and the query of the page's hash, as "path?k=v&…" with the
// values decoded.
async function currentHash() {
  return page.evaluate(() => {
    const [path, query] = location.hash.split('?');
    return `${path}?${[...new URLSearchParams(query)].map(([k, v]) => `${k}=${v}`).join('&')}`;
  });
}

// Each chart's first item (or, for the pies and the timeline, its
// largest), the list its click must open and the count that list must
// show.
const CLICKS = [
  ['attribute_types', '?limit=12', (rows) => [0, `#/search?type=${rows[0].name}`, rows[0].count]],
  ['attribute_categories', '?limit=12', (rows) => [0, `#/search?category=${rows[0].name}`, rows[0].count]],
  ['threat_levels', '', (rows) => largest(rows, (r) => [`#/events?threat=${r.id}`, r.count])],
  ['analysis', '', (rows) => largest(rows, (r) => [`#/events?analysis=${r.id}`, r.count])],
  ['top_taxonomies', '', (rows) => [0, `#/events?tag=${rows[0].name}:`, rows[0].count]],
  ['top_tags', '?limit=12', (rows) => [3, `#/events?tag=${rows[3].name}`, rows[3].count]],
  ['top_orgs', '', (rows) => [1, `#/events?org=${rows[1].name}`, rows[1].count]],
  ['timeline', '?bucket=month', (rows) => {
    const i = rows.reduce((m, r, k) => (r.events > rows[m].events ? k : m), 0);
    const [year, month] = rows[i].period.split('-');
    return [i, `#/events?from=${year}-${month}-01&to=${year}-${month}-31`, rows[i].events];
  }],
];

function largest(rows, landing) {
  const i = rows.reduce((m, r, k) => (r.count > rows[m].count ? k : m), 0);
  return [i, ...landing(rows[i])];
}

test('clicking each chart opens its filtered list', async () => {
  for (const [widget, query, expect] of CLICKS) {
    await open('#/');
    await page.waitForSelector(`[data-widget="${widget}"] .chart[data-chart="drawn"]`);
    const rows = (await srv.api(`/dashboard/${widget}${query}`)).rows;
    const [index, hash, count] = expect(rows);
    const item = await chartItem(widget, index);
    await page.mouse.click(item.x, item.y);
    await page.waitForFunction(() => document.getElementById('main').dataset.page !== '/', null, { timeout: 10000 })
      .catch((e) => { throw new Error(`${widget}: the click on item ${index} at ${item.x}, ${item.y} opened no list: ${e.message}`); });
    await page.waitForSelector('#result-count');
    assert.equal(await currentHash(), hash, widget);
    assert.equal(await listTotal(), count, `${widget}: ${hash}`);
    if (widget === 'attribute_types') {
      const types = await page.$$eval('#search-results tbody .type', (els) => [...new Set(els.map((e) => e.textContent))]);
      assert.deepEqual(types, [rows[0].name]);
      await shot('search');
    }
  }
});

// The rows of a widget's Figures table, each as the texts of its cells.
async function figureRows(widget) {
  return page.$$eval(`[data-widget="${widget}"] details.figures tbody tr`,
    (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
}

test('dashboard range selector filters the widgets', async () => {
  await open('#/');
  await settled(page);
  let before = await page.evaluate(() => document.getElementById('main').dataset.ready);
  await page.selectOption('#range-bucket', 'year');
  await page.waitForFunction((b) => document.getElementById('main').dataset.ready !== b, before);
  before = await page.evaluate(() => document.getElementById('main').dataset.ready);
  await page.fill('#range-from', '2025-01-01');
  await page.waitForFunction((b) => document.getElementById('main').dataset.ready !== b, before);
  assert.equal(await currentHash(), '#/?from=2025-01-01&bucket=year');
  await settled(page);
  assert.equal(await page.$eval('#range-from', (el) => el.value), '2025-01-01');

  const timeline = (await srv.api('/dashboard/timeline?bucket=year&from=2025-01-01')).rows;
  assert.ok(timeline.length > 0 && timeline.every((r) => r.period >= '2025'));
  assert.deepEqual(await figureRows('timeline'),
    timeline.map((r) => [r.period, r.events.toLocaleString('en-US'), r.attributes.toLocaleString('en-US')]));
  const threat = (await srv.api('/dashboard/threat_levels?from=2025-01-01')).rows;
  const all = (await srv.api('/dashboard/threat_levels')).rows;
  assert.notDeepEqual(threat, all, 'the range changes the threat levels');
  assert.deepEqual((await figureRows('threat_levels')).map((r) => r[1]), threat.map((r) => r.count.toLocaleString('en-US')));

  before = await page.evaluate(() => document.getElementById('main').dataset.ready);
  await page.click('#main .range button:has-text("All")');
  await page.waitForFunction((b) => document.getElementById('main').dataset.ready !== b, before);
  assert.equal(await currentHash(), '#/?bucket=year');
});

test('clicking a heat map cell opens its events', async () => {
  await open('#/');
  await page.waitForSelector('[data-widget="attack_patterns"] .chart[data-chart="drawn"]');
  const item = await chartItem('attack_patterns', 0);
  const cell = item.data.row;
  assert.match(cell.external_id, /^T\d{4}/);
  // A cell shows the technique id, also where a cluster's external_id
  // lists only a CAPEC id.
  for (const r of (await srv.api('/dashboard/attack_patterns?limit=100')).rows) {
    const named = / - (T\d{4}(\.\d{3})?)$/.exec(r.name);
    if (named) assert.equal(r.external_id, named[1], r.name);
  }
  await page.mouse.click(item.x, item.y);
  await page.waitForFunction((tag) => new URLSearchParams(location.hash.split('?')[1]).get('tag') === tag, cell.tag);
  await page.waitForSelector('#result-count');
  assert.equal(await listTotal(), cell.count);
});

test('the event index sorts, pages and keeps its filters in the URL', async () => {
  await open('#/events?sort=attributes&dir=desc');
  const first = await page.textContent('tbody tr:first-child td:nth-child(8)');
  const index = await srv.api('/events/index');
  const max = Math.max(...index.map((e) => Number(e.attribute_count)));
  assert.equal(Number(first.replace(/,/g, '')), max);
  await page.fill('#f-tag', 'tlp:');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('tag=tlp'));
  await page.waitForSelector('#result-count');
  assert.match(await page.evaluate(() => location.hash), /sort=attributes/);
  await shot('events');
  // The server pages: the first row of page 2 is the 51st event by id.
  const ids = index.map((e) => Number(e.id)).sort((x, y) => x - y);
  await open('#/events?sort=id&dir=asc&page=2');
  await page.waitForSelector('#result-count');
  assert.equal(Number(await page.textContent('tbody tr:first-child td:nth-child(1)')), ids[50]);
  assert.match(await page.textContent('#result-count'), new RegExp(`^${ids.length.toLocaleString('en-US')} of`));
});

test('event index filters stay in the URL', async () => {
  await open('#/events');
  await page.fill('#f-q', 'IOCs 2026');
  await page.fill('#f-tag', 'tlp:clear');
  await page.fill('#f-org', 'TweetFeed');
  await page.fill('#f-from', '2026-01-01');
  await page.fill('#f-to', '2026-03-31');
  await page.selectOption('#f-threat', '4');
  await page.selectOption('#f-analysis', '2');
  await page.selectOption('#f-published', 'true');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('published=true') && document.getElementById('main').dataset.page === '/events');
  await page.waitForSelector('#result-count');
  const hash = '#/events?q=IOCs 2026&tag=tlp:clear&org=TweetFeed&from=2026-01-01&to=2026-03-31&threat=4&analysis=2&published=true';
  assert.equal(await currentHash(), hash);

  const count = await srv.count('/events/index', { eventinfo: 'IOCs 2026', tags: ['tlp:clear'], org: 'TweetFeed',
    datefrom: '2026-01-01', dateuntil: '2026-03-31', threatlevel: 4, analysis: 2, published: 1 });
  assert.ok(count > 0, 'the filters select some feed events');
  assert.equal(await listTotal(), count);
  const dates = await page.$$eval('#main tbody tr td:nth-child(2)', (els) => els.map((e) => e.textContent));
  assert.ok(dates.every((d) => d >= '2026-01-01' && d <= '2026-03-31'), dates.join(' '));
  const creators = await page.$$eval('#main tbody tr td:nth-child(4)', (els) => [...new Set(els.map((e) => e.textContent))]);
  assert.deepEqual(creators, ['TweetFeed']);

  // The same URL in another tab, as a bookmark, shows the same view.
  const tab = await br.context.newPage();
  await tab.goto(page.url());
  await tab.waitForSelector('#result-count');
  assert.equal(await tab.textContent('#result-count'), await page.textContent('#result-count'));
  const fields = await tab.$$eval('form.filters input, form.filters select', (els) => els.map((e) => `${e.name}=${e.value}`));
  assert.deepEqual(fields, ['q=IOCs 2026', 'tag=tlp:clear', 'org=TweetFeed', 'from=2026-01-01', 'to=2026-03-31',
    'threat=4', 'analysis=2', 'published=true']);
  await tab.close();
});

// The attribute table of the event view: its draw counter, and a wait
// for the draw after `before` to finish.
async function drawCount() {
  return page.evaluate(() => Number(document.querySelector('#attributes .attr-table').dataset.draw || 0));
}

async function tableDrawn(before) {
  await page.waitForFunction((b) => {
    const t = document.querySelector('#attributes .attr-table');
    return t && t.getAttribute('aria-busy') === 'false' && Number(t.dataset.draw || 0) > b;
  }, before);
}

async function shownValues() {
  return page.$$eval('#attributes tbody td.value a', (els) => els.map((e) => e.textContent));
}

async function pagerText() {
  return page.textContent('#attributes .pager .muted');
}

// One page of the event's attributes as restSearch returns it.
async function apiPage(eventId, pageNumber, filters) {
  const r = await srv.api('/attributes/restSearch', { eventid: eventId, limit: 50, page: pageNumber, ...filters });
  return r.response.Attribute;
}

test('feed event over 1,000 attributes: paging, filters, related', async () => {
  const index = await srv.api('/events/index');
  let big = null;
  let related = [];
  for (const e of index.filter((x) => Number(x.attribute_count) > 1000 && x.uuid !== BIG_UUID)) {
    related = (await srv.api(`/events/view/${e.id}/metadata:1`)).Event.RelatedEvent || [];
    if (related.length) { big = e; break; }
  }
  assert.ok(big, 'the feed has an event of more than 1,000 attributes with related events');
  const total = await srv.count('/attributes/restSearch', { eventid: big.id });
  await open(`#/events/${big.id}`);
  const published = await page.$$eval('dl.meta dt', (dts) => dts.find((d) => d.textContent === 'Published').nextElementSibling.textContent);
  assert.match(published, big.published ? /^yes/ : /^no$/);
  assert.equal(await page.$$eval('#attributes tbody tr', (r) => r.length), 50);
  assert.equal(await pagerText(), `Page 1 of ${Math.ceil(total / 50)} · ${total.toLocaleString('en-US')} rows`);
  let before = await drawCount();
  await page.click('#attributes .pager button:last-child');
  await tableDrawn(before);
  assert.match(await pagerText(), /^Page 2 of/);
  assert.match(await page.evaluate(() => location.hash), /[?&]page=2(&|$)/);
  assert.deepEqual(await shownValues(), (await apiPage(big.id, 2)).map((a) => a.value));
  const some = (await apiPage(big.id, 3))[7].value;
  before = await drawCount();
  await page.fill('#attr-filter', some);
  await tableDrawn(before);
  const matching = await srv.count('/attributes/restSearch', { eventid: big.id, value: `%${some}%` });
  assert.equal(await page.$eval('#attributes .attr-table', (t) => Number(t.dataset.total)), matching);
  const values = await shownValues();
  assert.ok(values.includes(some), `${some} is not among ${values}`);
  assert.ok(values.every((v) => v.toLowerCase().includes(some.toLowerCase())), values.join(' '));
  before = await drawCount();
  await page.fill('#attr-filter', '');
  await page.selectOption('#attr-type', 'url');
  await tableDrawn(before);
  const types = await page.$$eval('#attributes tbody .type', (els) => [...new Set(els.map((e) => e.textContent))]);
  assert.deepEqual(types, ['url']);
  const urls = await srv.count('/attributes/restSearch', { eventid: big.id, type: 'url' });
  assert.equal(await page.$eval('#attributes .attr-table', (t) => Number(t.dataset.total)), urls);
  await shot('event-big');
  const links = await page.$$eval('#related a.related-link', (els) => els.map((e) => [e.getAttribute('href'), e.textContent]));
  assert.equal(links.length, Math.min(related.length, 100));
  await page.click('#related a.related-link');
  await page.waitForFunction((t) => location.hash === t[0] && document.getElementById('event-info')
    && document.getElementById('event-info').textContent === t[1], links[0]);
});

test('event view shows sightings, correlation graph, timeline', async () => {
  const sighted = (await srv.api('/dashboard/recent_sightings')).rows[0].event_id;
  await open(`#/events/${sighted}`);
  for (const type of [0, 1, 2]) {
    const count = await srv.count('/sightings/restSearch', { eventid: sighted, type });
    assert.match(await page.textContent(`#sightings [data-kind="${type}"]`), new RegExp(`^${count} `));
  }
  assert.match(await page.textContent('#sightings'), /last recorded \d{4}-\d\d-\d\d \d\d:\d\d/);
  const sightings = await page.$$eval('#attributes tbody td.num', (els) => els.reduce((n, e) => n + Number(e.textContent || 0), 0));
  assert.equal(sightings, await srv.count('/sightings/restSearch', { eventid: sighted }));

  const correlated = (await srv.api('/attributes/restSearch', { value: 'sqllq.com' })).response.Attribute[0].event_id;
  const related = (await srv.api(`/events/view/${correlated}/metadata:1`)).Event.RelatedEvent.map((r) => r.Event.id);
  await open(`#/events/${correlated}`);
  await page.waitForSelector('#correlation-graph[data-chart="drawn"]');
  await shot('event-related');
  await shotOf(page.locator('.event-grid', { has: page.locator('#related') }), 'event-related-graph');
  // The node farthest from the others, so the click cannot land on a
  // neighbour drawn next to it.
  const nodes = [];
  for (let i = 0; i <= Math.min(related.length, 60); i++) nodes.push(await chartPoint('#correlation-graph', i));
  const gap = (n) => Math.min(...nodes.filter((m) => m !== n).map((m) => Math.hypot(m.x - n.x, m.y - n.y)));
  const node = nodes.slice(1).reduce((best, n) => (gap(n) > gap(best) ? n : best));
  assert.ok(related.includes(node.data.id), `${node.data.id} is not among the related events ${related}`);
  await page.mouse.click(node.x, node.y);
  await page.waitForFunction((id) => location.hash === `#/events/${id}` && document.getElementById('main').dataset.ready, node.data.id);
  // A node is named by the event's date and info.
  assert.equal(`${(await srv.api(`/events/view/${node.data.id}/metadata:1`)).Event.date} ${await page.textContent('#event-info')}`, node.data.name);

  const ev = (await srv.api('/events/restSearch', { uuid: BIG_UUID, metadata: 1 })).response[0].Event;
  await open(`#/events/${ev.id}`);
  await page.waitForSelector('#seen-chart[data-chart="drawn"]');
  const seen = await srv.count('/attributes/restSearch', { eventid: ev.id, first_seen: '1970-01-01T00:00:00Z' });
  assert.equal(await page.textContent('#seen .note'), `${seen} attributes with a first_seen or last_seen.`);
  const first = await page.evaluate(async () => {
    const echarts = await import('/ui/vendor/echarts.mjs');
    return echarts.getInstanceByDom(document.getElementById('seen-chart')).getOption().series[0].data[0].name;
  });
  assert.equal(first, `ip-dst ${bigValue(0)}`);
});

test('event of 10,000 attributes reads one page', async () => {
  const bodies = [];
  const record = (r) => bodies.push(r.body().then((b) => [new URL(r.url()).pathname, b.length], () => [r.url(), 0]));
  const ev = (await srv.api('/events/restSearch', { uuid: BIG_UUID, metadata: 1 })).response[0].Event;
  page.on('response', record);

  await open(`#/events/${ev.id}`);
  assert.equal(await page.textContent('#attributes h2'), 'Attributes (10,000)');
  assert.equal(await page.$$eval('#attributes tbody tr', (r) => r.length), 50);
  assert.equal(await pagerText(), 'Page 1 of 200 · 10,000 rows');
  assert.deepEqual(await shownValues(), Array.from({ length: 50 }, (_, i) => bigValue(i)));

  let before = await drawCount();
  await page.click('#attributes .pager button:last-child');
  await tableDrawn(before);
  assert.deepEqual((await shownValues()).slice(0, 2), [bigValue(50), bigValue(51)]);

  // The object attributes come last, with their object's name.
  await open(`#/events/${ev.id}?page=200`);
  assert.equal(await pagerText(), 'Page 200 of 200 · 10,000 rows');
  const objects = await page.$$eval('#attributes tbody tr td:nth-child(6)', (els) => els.map((e) => e.textContent));
  assert.ok(objects.includes('file · md5'), objects.join(', '));

  before = await drawCount();
  await page.selectOption('#attr-type', 'md5');
  await tableDrawn(before);
  const md5 = await srv.count('/attributes/restSearch', { eventid: ev.id, type: 'md5' });
  assert.equal(await pagerText(), `Page 1 of ${Math.ceil(md5 / 50)} · ${md5.toLocaleString('en-US')} rows`);
  assert.match(await page.evaluate(() => location.hash), /type=md5/);

  before = await drawCount();
  await page.fill('#attr-filter', 'host777');
  await page.selectOption('#attr-type', '');
  await tableDrawn(before);
  const values = await shownValues();
  assert.deepEqual(values.slice(0, 2), [bigValue(777), bigValue(7771)]);
  assert.ok(values.every((v) => v.includes('host777')), values.join(' '));

  // A bookmarked filter and page open as they were left.
  await open(`#/events/${ev.id}?type=sha256&page=3`);
  assert.equal(await page.$eval('#attr-type', (s) => s.value), 'sha256');
  assert.match(await pagerText(), /^Page 3 of /);
  await page.waitForSelector('#seen canvas');

  page.off('response', record);
  const sizes = (await Promise.all(bodies)).filter(([path]) => !path.startsWith('/ui/'));
  const [path, max] = sizes.reduce((m, x) => (x[1] > m[1] ? x : m), ['', 0]);
  // events/view writes this whole event in 4.3 MB.
  assert.ok(max < 300 * 1024, `${path} sent ${max} bytes`);
  assert.ok(sizes.some(([p]) => p === '/attributes/restSearch'));
  await shot('event-10000');
});

test('create an event, add an invalid then a valid attribute, tag and publish it, find it', async () => {
  await open('#/events/new');
  await page.fill('#event-info-input', 'Browser test event');
  await page.click('form button[type=submit]');
  await page.waitForSelector('#add-attribute form');
  const id = (await page.evaluate(() => location.hash)).match(/events\/(\d+)/)[1];
  await page.selectOption('#new-category', 'Network activity');
  await page.selectOption('#new-type', 'ip-dst');
  await page.fill('#new-value', '999.1.1.1');
  await page.click('#add-attribute button[type=submit]');
  await page.waitForFunction(() => document.getElementById('new-value-error').textContent.length > 0);
  assert.match(await page.textContent('#new-value-error'), /ip-dst/);
  await shot('attribute-error');
  await page.fill('#new-value', '198.51.100.77');
  await page.click('#add-attribute button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#attributes td.value')].some((e) => e.textContent === '198.51.100.77'));
  await page.fill('#tag-input', 'tlp:amber');
  await page.click('#event-tags + form button');
  await page.waitForFunction(() => [...document.querySelectorAll('#event-tags .tag')].some((e) => e.textContent === 'tlp:amber'));
  await page.click('#publish');
  await page.waitForFunction(() => !document.getElementById('publish') && document.getElementById('event-info'));
  const ev = (await srv.api(`/events/view/${id}`)).Event;
  assert.equal(ev.published, true);
  assert.ok(ev.Tag.some((t) => t.name === 'tlp:amber'));
  await open('#/search?value=198.51.100.77');
  await page.waitForSelector('#search-results tbody');
  const found = await page.$$eval('#search-results tbody tr', (r) => r.map((x) => x.textContent));
  assert.ok(found.some((t) => t.includes('198.51.100.77')));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-format="csv"]')]);
  assert.equal(download.suggestedFilename(), 'cairn-attributes.csv');
  const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'uuid,event_id,category,type,value,comment,to_ids,date,object_relation,attribute_tag,'
    + 'object_uuid,object_name,object_meta_category');
  assert.equal(lines.length, 2, `one attribute matches 198.51.100.77: ${lines.join(' / ')}`);
  const row = csvFields(lines[1]);
  assert.equal(row[1], id);
  assert.equal(row[2], 'Network activity');
  assert.equal(row[3], 'ip-dst');
  assert.equal(row[4], '198.51.100.77');
});

// What each download must contain, given the search's first md5 value,
// its event's UUID and the number of attributes the search finds.
const DOWNLOADS = {
  json: (t, c) => assert.equal(JSON.parse(t).response.Attribute.length, c.total),
  csv: (t) => assert.match(t, /^uuid,event_id,category,type,value,comment,to_ids,date,/),
  text: (t, c) => assert.ok(t.split('\n').includes(c.md5)),
  stix2: (t, c) => {
    const bundle = JSON.parse(t);
    assert.equal(bundle.type, 'bundle');
    assert.ok(bundle.objects.some((o) => o.type === 'indicator' && o.pattern.includes(c.md5)));
  },
  suricata: (t) => assert.match(t, /^alert (dns|tls|http|ip) /m),
  snort: (t) => assert.match(t, /^alert (udp|tcp|ip) /m),
  rpz: (t) => { assert.match(t, /^\$TTL /); assert.match(t, / CNAME \.$/m); },
  hashes: (t, c) => assert.ok(t.split('\n').includes(c.md5)),
  zeek: (t, c) => { assert.match(t, /^#fields\tindicator\t/); assert.ok(t.includes(`${c.md5}\tIntel::FILE_HASH`)); },
  yara: (t, c) => { assert.match(t, /^rule MISP_ATTRIBUTE_/m); assert.ok(t.includes(c.md5)); },
  count: (t, c) => assert.equal(Number(t.trim()), c.total),
  cache: (t, c) => assert.ok(t.split('\n').every((l) => !l || l.endsWith(`,${c.uuid}`))),
};

test('search page downloads every export format', async () => {
  const md5 = (await srv.api('/attributes/restSearch', { type: 'md5', to_ids: 1, published: 1, tags: ['TweetFeed'], limit: 1 }))
    .response.Attribute[0];
  const uuid = (await srv.api(`/events/view/${md5.event_id}/metadata:1`)).Event.uuid;
  const context = { md5: md5.value, uuid, total: await srv.count('/attributes/restSearch', { eventid: md5.event_id }) };
  await open(`#/search?eventid=${md5.event_id}`);
  const formats = await page.$$eval('[data-format]', (els) => els.map((e) => e.dataset.format));
  assert.deepEqual(formats.slice().sort(), Object.keys(DOWNLOADS).sort());
  for (const format of formats) {
    // Debian's Chromium 156 dropped the eleventh of a run of quick
    // downloads from one document, so each format starts from a fresh
    // load.
    await page.reload();
    await page.waitForSelector('#result-count');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-format="${format}"]`)]);
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.length > 0, `${format} is empty`);
    DOWNLOADS[format](text, context);
    assert.match(download.suggestedFilename(), new RegExp(`^cairn-attributes(-${format})?\\.`));
  }
});

test('import a MISP file, edit the event and an attribute, attach a cluster', async () => {
  const file = join(generated, 'import-event.json');
  writeFileSync(file, JSON.stringify({ Event: { uuid: 'b4c0ffee-1111-4222-8333-444455556666', info: 'Imported by upload', date: '2025-02-03',
    threat_level_id: '2', analysis: '1', distribution: '0',
    Attribute: [{ type: 'domain', category: 'Network activity', value: 'upload.example.org', to_ids: true }] } }));
  await open('#/import');
  await page.setInputFiles('#import-file', file);
  await page.click('#main form button[type=submit]');
  await page.waitForSelector('#import-result .alert.ok a');
  await page.click('#import-result a');
  await page.waitForFunction(() => document.getElementById('event-info') && document.getElementById('event-info').textContent === 'Imported by upload');
  const id = (await page.evaluate(() => location.hash)).match(/events\/(\d+)/)[1];
  await page.click('#attributes button[aria-label^="Edit attribute"]');
  await page.waitForSelector('#attributes .edit-row form');
  const form = '#attributes .edit-row form';
  await page.fill(`${form} input[id$="-comment"]`, 'edited in the browser');
  await page.click(`${form} button[type=submit]`);
  await page.waitForFunction(() => [...document.querySelectorAll('#attributes td')].some((e) => e.textContent === 'edited in the browser'));
  await page.fill('#cluster-search', 'T1566');
  await page.click('#cluster-search + button');
  await page.waitForSelector('.cluster-results button');
  await page.click('.cluster-results button');
  await page.waitForFunction(() => document.querySelectorAll('.clusters a.cluster').length > 0);
  await open(`#/events/${id}/edit`);
  await page.fill('#event-info-input', 'Imported and renamed');
  await page.click('#main form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('event-info') && document.getElementById('event-info').textContent === 'Imported and renamed');
  const ev = (await srv.api(`/events/view/${id}`)).Event;
  assert.equal(ev.info, 'Imported and renamed');
  assert.equal(ev.Attribute[0].comment, 'edited in the browser');
  assert.ok(ev.Galaxy.length > 0);
});
test('import page explains a stored or broken file', async () => {
  // A real feed event, which the server imported at start.
  const feed = join(sharedData(), 'misp-feed', 'curated');
  const name = readdirSync(feed).filter((f) => f.endsWith('.json') && f !== 'manifest.json').sort()[0];
  const stored = JSON.parse(readFileSync(join(feed, name), 'utf8')).Event;
  await open('#/import');
  await page.setInputFiles('#import-file', join(feed, name));
  await page.click('#main form button[type=submit]');
  await page.waitForSelector('#import-result .alert.error a');
  assert.match(await page.textContent('#import-result'), /^An event with this UUID is stored already/);
  await page.click('#import-result a');
  await page.waitForFunction((info) => document.getElementById('event-info')
    && document.getElementById('event-info').textContent === info, stored.info);

  const broken = join(generated, 'broken.json');
  writeFileSync(broken, '{"Event": {"info": ');
  await open('#/import');
  await page.setInputFiles('#import-file', broken);
  await page.click('#main form button[type=submit]');
  await page.waitForSelector('#import-result .alert.error');
  assert.match(await page.textContent('#import-result'), /malformed JSON/);
});


test('edit forms show errors by their fields', async () => {
  await open('#/events/new');
  await page.fill('#event-info-input', '   ');
  await page.click('#main form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('event-info-input-error').textContent.length > 0);
  assert.match(await page.textContent('#event-info-input-error'), /info/);
  assert.equal(await page.getAttribute('#event-info-input', 'aria-invalid'), 'true');
  assert.equal(await page.$eval('#event-info-input', (el) => el.closest('.field').classList.contains('invalid')), true);
  await shot('event-error');
  await page.fill('#event-info-input', 'Browser test event to delete');
  await page.click('#main form button[type=submit]');
  await page.waitForFunction(() => /^#\/events\/\d+$/.test(location.hash) && document.getElementById('add-attribute'));
  const id = (await page.evaluate(() => location.hash)).match(/events\/(\d+)/)[1];

  // The type picker lists the types describeTypes maps to the category.
  const types = (await srv.api('/attributes/describeTypes.json')).result;
  await page.selectOption('#new-category', 'Payload delivery');
  const offered = await page.$$eval('#new-type option', (els) => els.map((e) => e.value));
  assert.deepEqual(offered, types.category_type_mappings['Payload delivery']);
  await page.selectOption('#new-type', 'md5');
  await page.fill('#new-value', 'd41d8cd98f00b204e9800998ecf8427e');
  await page.click('#add-attribute button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#attributes td.value a')]
    .some((e) => e.textContent === 'd41d8cd98f00b204e9800998ecf8427e'));

  // An edit that breaks the value is rejected under the value field.
  const attr = (await srv.api(`/events/view/${id}`)).Event.Attribute[0];
  await page.click(`#attributes button[aria-label="Edit attribute ${attr.id}"]`);
  await page.fill(`#a${attr.id}-value`, 'not a hash');
  await page.click(`#attributes .edit-row button[type=submit]`);
  await page.waitForFunction((i) => document.getElementById(`a${i}-value-error`).textContent.length > 0, attr.id);
  assert.match(await page.textContent(`#a${attr.id}-value-error`), /md5/);
  assert.equal((await srv.api(`/attributes/view/${attr.id}`)).Attribute.value, 'd41d8cd98f00b204e9800998ecf8427e');

  await page.click('#delete');
  await page.waitForFunction(() => location.hash === '#/events' && document.getElementById('main').dataset.page === '/events');
  await assert.rejects(srv.api(`/events/view/${id}`), /404/);
});

test('script and img payloads in an event show as text and run nothing', async () => {
  await open(`#/events/${xssEvent}`);
  assert.equal(await page.textContent('#event-info'), `XSS ${XSS} ${SCRIPT}`);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.$$eval('#main img[src="x"], #main script', (e) => e.length), 0);
  const tags = await page.$$eval('#event-tags .tag', (els) => els.map((e) => e.textContent));
  assert.ok(tags.includes(`xss:${XSS}`));
  const cells = await page.$$eval('#attributes td', (els) => els.map((e) => e.textContent));
  assert.ok(cells.includes(XSS) && cells.includes(SCRIPT));
  // 8.8.8.8 is on an enabled warninglist.
  await page.waitForSelector('#attributes .badge.warn');
  assert.match(await page.textContent('#attributes .badge.warn'), /public DNS resolvers/);
  // The tag chip takes the tag's colour through the CSSOM.
  const chip = await page.$eval('#event-tags .tag', (el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
  assert.deepEqual(chip, ['rgb(255, 0, 0)', 'rgb(0, 0, 0)']);
  await shot('xss');

  // Every other page that lists the event, its values or its tag.
  for (const [hash, selector, text] of [['#/', '[data-widget="latest_events"] tbody a', `XSS ${XSS} ${SCRIPT}`],
    ['#/events?q=XSS', '#main tbody a.event-link', `XSS ${XSS} ${SCRIPT}`],
    ['#/search?value=%25onerror%25', '#search-results tbody td', XSS],
    ['#/search?value=%25onerror%25', '#search-results tbody td', SCRIPT],
    ['#/tags', '#main tbody .tag', `xss:${XSS}`]]) {
    await open(hash);
    await settled(page);
    const shown = await page.$$eval(selector, (els) => els.map((e) => e.textContent));
    assert.ok(shown.includes(text), `${hash} does not show ${text} as text`);
    assert.equal(await page.$$eval('#main img[src="x"], #main script', (e) => e.length), 0, hash);
    assert.equal(await page.evaluate(() => window.__xss), undefined, hash);
  }
});

// Changes a session may make only with its CSRF token: [method, path,
// JSON body], the path's ID being the target event's id.
const CHANGES = [
  ['POST', '/events/add', { Event: { info: 'made without a CSRF token' } }],
  ['POST', '/events/edit/ID', { Event: { info: 'edited without a CSRF token' } }],
  ['PUT', '/events/ID', { Event: { info: 'edited without a CSRF token' } }],
  ['POST', '/attributes/add/ID', { type: 'ip-dst', value: '198.51.100.99' }],
  ['POST', '/tags/attachTagToObject', { uuid: 'UUID', tag: 'tlp:red' }],
  ['POST', '/galaxies/attachCluster/ID/event', { Galaxy: { target_id: '1' } }],
  ['POST', '/events/publish/ID', undefined],
  ['POST', '/events/delete/ID', undefined],
  ['DELETE', '/events/ID', undefined],
  ['POST', '/admin/users/add', { email: 'csrf@second.test', org_id: '1', role_id: '1' }],
  ['POST', '/admin/organisations/add', { name: 'Made without a CSRF token' }],
];

// The event's fields that CHANGES would alter.
async function eventState(id) {
  const ev = (await srv.api(`/events/view/${id}`)).Event;
  return { info: ev.info, published: ev.published, attributes: ev.Attribute.length,
    tags: ev.Tag.map((t) => t.name).sort(), galaxies: ev.Galaxy.length };
}

test('a session without the CSRF token changes nothing', async () => {
  const ev = (await srv.api(`/events/view/${xssEvent}`)).Event;
  const before = await eventState(xssEvent);
  const users = (await srv.api('/admin/users/index')).length;
  const orgs = (await srv.api('/organisations/index/scope:all')).length;
  const events = (await srv.api('/events/index')).length;
  for (const token of [null, 'not-the-token']) {
    for (const [method, path, body] of CHANGES) {
      const url = path.replace('ID', ev.id);
      const json = body === undefined ? undefined : JSON.stringify(body).replace('UUID', ev.uuid);
      const status = await page.evaluate(async ([m, u, b, t]) => {
        const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
        if (t) headers['X-CSRF-Token'] = t;
        return (await fetch(u, { method: m, headers, credentials: 'same-origin', body: b })).status;
      }, [method, url, json, token]);
      assert.equal(status, 403, `${method} ${url} with token ${token}`);
    }
  }
  // A form that another site posts sends no custom header at all.
  const form = await page.evaluate(async (id) => (await fetch(`/events/delete/${id}`, { method: 'POST',
    credentials: 'same-origin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'data[Event][id]=1' })).status, ev.id);
  assert.equal(form, 403);
  assert.deepEqual(await eventState(xssEvent), before);
  assert.equal((await srv.api('/admin/users/index')).length, users);
  assert.equal((await srv.api('/organisations/index/scope:all')).length, orgs);
  assert.equal((await srv.api('/events/index')).length, events);
  // The same session with its token, as the pages send it, may.
  await page.evaluate(async (uuid) => {
    const { api } = await import('/ui/js/api.js');
    await api('/tags/attachTagToObject', { body: { uuid, tag: 'tlp:red' } });
  }, ev.uuid);
  assert.ok((await eventState(xssEvent)).tags.includes('tlp:red'));
  await srv.api('/tags/removeTagFromObject', { uuid: ev.uuid, tag: 'tlp:red' });
});

// Waits until the router has rendered the page of `path`.
async function landed(path) {
  await page.waitForFunction((p) => document.getElementById('main').dataset.page === p, path);
}

async function listCount() {
  const m = /^([\d,]+) of ([\d,]+)/.exec(await page.textContent('#list-count'));
  return [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, ''))];
}

async function cellTexts(column) {
  return page.$$eval(`#main tbody tr td:nth-child(${column})`, (els) => els.map((e) => e.textContent));
}

test('browsing pages list the API\'s rows', async () => {
  const tags = (await srv.api('/tags/index')).Tag;
  await open('#/tags');
  assert.deepEqual(await listCount(), [tags.length, tags.length]);
  await shot('tags');
  await page.fill('#list-filter', 'tlp:');
  const tlp = tags.filter((t) => t.name.toLowerCase().includes('tlp:'));
  assert.deepEqual(await listCount(), [tlp.length, tags.length]);
  assert.deepEqual((await cellTexts(1)).sort(), tlp.map((t) => t.name).sort());

  const taxonomies = await srv.api('/taxonomies/index');
  await open('#/taxonomies');
  assert.deepEqual(await listCount(), [taxonomies.length, taxonomies.length]);
  await shot('taxonomies');
  const tlpTaxonomy = taxonomies.find((t) => t.Taxonomy.namespace === 'tlp').Taxonomy;
  await page.click(`#main a[href="#/taxonomies/${tlpTaxonomy.id}"]`);
  await landed(`/taxonomies/${tlpTaxonomy.id}`);
  assert.ok((await cellTexts(1)).includes('tlp:amber'));

  await open('#/galaxies');
  await shot('galaxies');
  await page.fill('#list-filter', 'Attack Pattern');
  const galaxy = await page.$eval('#main tbody a', (a) => a.getAttribute('href').split('/').pop());
  await page.click('#main tbody a');
  await landed(`/galaxies/${galaxy}`);
  const clusters = await srv.api(`/galaxy_clusters/index/${galaxy}`);
  assert.ok(clusters.length > 10);
  assert.equal((await listCount())[1], clusters.length);

  const lists = (await srv.api('/warninglists/index')).Warninglists.map((w) => w.Warninglist);
  await open('#/warninglists');
  assert.deepEqual(await listCount(), [lists.length, lists.length]);
  await shot('warninglists');
  const dns = lists.find((w) => w.name === 'List of known IPv4 public DNS resolvers');
  await page.click(`#main a[href="#/warninglists/${dns.id}"]`);
  await landed(`/warninglists/${dns.id}`);
  assert.equal((await listCount())[1], Number(dns.warninglist_entry_count));
  assert.match(await page.textContent('#list-count'), /the first 500 listed/);
  assert.equal(await page.$$eval('#main tbody tr', (r) => r.length), 500);
  await page.fill('#list-filter', '8.8.8.8');
  assert.ok((await cellTexts(1)).includes('8.8.8.8'));

  const orgs = await srv.api('/organisations/index/scope:all');
  await open('#/admin/organisations');
  assert.deepEqual((await cellTexts(2)).sort(), orgs.map((o) => o.Organisation.name).sort());
  await shot('organisations');
  await open('#/admin/users');
  const emails = await cellTexts(2);
  for (const email of ['admin@admin.test', ANALYST, LOCKED]) assert.ok(emails.includes(email), email);
  await shot('users');
  await open('#/admin/roles');
  assert.deepEqual(await cellTexts(2), ['admin', 'Org Admin', 'User', 'Publisher', 'Sync user', 'Read Only']);
  await shot('roles');
  await open('#/admin/sharing_groups');
  assert.deepEqual(await cellTexts(2), [GROUP]);
  await shot('sharing-groups');
  await open('#/import');
  await shot('import');
});

test('another organisation\'s user sees only its share', async () => {
  const other = await launchBrowser();
  const tab = await other.context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  try {
    await tab.goto(`${srv.base}/#/login`);
    await tab.fill('#email', ANALYST);
    await tab.fill('#password', PASSWORD);
    await tab.click('button[type=submit]');
    await tab.waitForSelector('[data-widget="latest_events"][aria-busy="false"]');
    const nav = await tab.$$eval('#nav a', (els) => els.map((e) => e.textContent));
    assert.ok(!nav.includes('Admin'), nav.join(', '));
    const latest = await tab.$$eval('[data-widget="latest_events"] tbody a', (els) => els.map((e) => e.getAttribute('href')));
    assert.ok(!latest.includes(`#/events/${xssEvent}`), 'an organisation-only event of another org is listed');
    await tab.waitForSelector('[data-total="events"]');
    const events = Number((await tab.textContent('[data-total="events"] .total-value')).replace(/,/g, ''));
    const all = (await srv.api('/dashboard/totals')).rows.find((r) => r.name === 'events').count;
    assert.ok(events < all, `the analyst sees ${events} of ${all} events`);
    await tab.evaluate((id) => { location.hash = `#/events/${id}`; }, xssEvent);
    await tab.waitForSelector('#main .alert.error');
    assert.match(await tab.textContent('#main .alert.error'), /Invalid event/);
    await tab.evaluate(() => { location.hash = '#/admin/users'; });
    await tab.waitForFunction(() => document.getElementById('main').dataset.page === '/admin/users');
    assert.equal(await tab.textContent('#main .alert.error'), 'Only administrators see this page.');
    assert.equal(await tab.evaluate(() => document.body.innerText.includes('admin@admin.test')), false);
    assert.deepEqual(errors, []);
  } finally {
    await other.close();
  }
});

test('a locked account is told so even with its password', async () => {
  const other = await launchBrowser();
  const tab = await other.context.newPage();
  try {
    await tab.goto(`${srv.base}/#/login`);
    await tab.fill('#email', LOCKED);
    let text = '';
    for (let i = 0; i < 12 && !/locked/.test(text); i++) {
      await tab.fill('#password', 'not the password');
      await tab.click('button[type=submit]');
      await tab.waitForFunction(() => !document.querySelector('#login-error').hidden && !document.querySelector('button[type=submit]').disabled);
      text = await tab.textContent('#login-error');
    }
    assert.match(text, /locked/);
    await tab.fill('#password', PASSWORD);
    await tab.click('button[type=submit]');
    await tab.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
    assert.match(await tab.textContent('#login-error'), /^Too many failed logins: this account is locked for now\. .*wait \d+ seconds/);
    assert.equal(await tab.$('#logout'), null);
    assert.deepEqual(await axeViolations(tab, 'login-locked'), []);
  } finally {
    await other.close();
  }
});

// Presses Tab until the focused element matches `selector`; fails when
// `max` presses do not reach it.
async function tabTo(selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement.matches(sel), selector)) return;
  }
  const at = await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120));
  assert.fail(`${max} presses of Tab did not reach ${selector}; the focus is on ${at}`);
}

async function focusedIs(selector) {
  return page.evaluate((sel) => document.activeElement.matches(sel), selector);
}

test('keyboard alone filters, sorts, pages and opens lists', async () => {
  // A fresh load, not a move within the loaded page.
  await page.goto('about:blank');
  await page.goto(`${srv.base}/#/events`);
  await page.waitForFunction(() => document.getElementById('main').dataset.ready);
  await page.keyboard.press('Tab');
  assert.ok(await focusedIs('a.skip'), 'the first Tab reaches the skip link');
  assert.ok(await page.$eval('a.skip', (a) => a.getBoundingClientRect().left >= 0), 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.ok(await focusedIs('#main'));
  assert.equal(await page.evaluate(() => location.hash), '#/events');

  await tabTo('#f-q');
  await page.keyboard.type('IOCs 2026');
  let before = await page.evaluate(() => document.getElementById('main').dataset.ready);
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => document.getElementById('main').dataset.ready !== b, before);
  assert.match(await currentHash(), /^#\/events\?q=IOCs 2026$/);
  assert.ok(await focusedIs('#main'), 'the new view takes the focus');

  await tabTo('th:nth-child(8) button.sort');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^Attributes/);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid', 'the focused button shows an outline');
  before = await page.evaluate(() => document.getElementById('main').dataset.ready);
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => document.getElementById('main').dataset.ready !== b, before);
  assert.match(await currentHash(), /sort=attributes&dir=desc/);

  await tabTo('a.event-link');
  const target = await page.evaluate(() => document.activeElement.getAttribute('href'));
  await page.keyboard.press('Enter');
  await landed(target.slice(1));
  await tabTo('#attr-filter');
  await page.keyboard.press('Tab');
  assert.ok(await focusedIs('#attr-type'));
  await tabTo('#attributes .pager button:last-child', 12);
  before = await drawCount();
  await page.keyboard.press('Enter');
  await tableDrawn(before);
  assert.match(await pagerText(), /^Page 2 of/);

  await page.goto(`${srv.base}/#/`);
  await page.waitForSelector('[data-widget="attribute_types"][aria-busy="false"]');
  await tabTo('[data-widget="attribute_types"] summary');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const first = (await srv.api('/dashboard/attribute_types?limit=12')).rows[0].name;
  assert.equal(await page.evaluate(() => document.activeElement.textContent), first);
  await page.keyboard.press('Enter');
  await landed('/search');
  assert.equal(await currentHash(), `#/search?type=${first}`);
});

// Every route of the UI, with ids from the API: [name, hash].
async function everyPage() {
  const big = (await srv.api('/events/restSearch', { uuid: BIG_UUID, metadata: 1 })).response[0].Event.id;
  const tlp = (await srv.api('/taxonomies/index')).find((t) => t.Taxonomy.namespace === 'tlp').Taxonomy.id;
  const galaxy = (await srv.api('/galaxies/index')).find((g) => g.Galaxy.type === 'mitre-attack-pattern').Galaxy.id;
  const list = (await srv.api('/warninglists/index')).Warninglists[0].Warninglist.id;
  const related = (await srv.api('/attributes/restSearch', { value: 'sqllq.com' })).response.Attribute[0].event_id;
  return [['dashboard', '#/'], ['events', '#/events'], ['events-filtered', '#/events?tag=tlp:clear&threat=4'],
    ['event-new', '#/events/new'], ['event-xss', `#/events/${xssEvent}`], ['event-edit', `#/events/${xssEvent}/edit`],
    ['event-10000', `#/events/${big}`], ['event-related', `#/events/${related}`], ['import', '#/import'], ['search-empty', '#/search'],
    ['search', '#/search?type=domain'], ['tags', '#/tags'], ['taxonomies', '#/taxonomies'], ['taxonomy', `#/taxonomies/${tlp}`],
    ['galaxies', '#/galaxies'], ['galaxy', `#/galaxies/${galaxy}`], ['warninglists', '#/warninglists'],
    ['warninglist', `#/warninglists/${list}`], ['organisations', '#/admin/organisations'], ['users', '#/admin/users'],
    ['roles', '#/admin/roles'], ['sharing-groups', '#/admin/sharing_groups'], ['not-found', '#/nowhere']];
}

// Waits until the page has loaded every widget and drawn every chart,
// and the toast of an earlier step has faded out (its text in mid-fade
// has no contrast to check).
async function settled(p) {
  await p.waitForFunction(() => !document.querySelector('[aria-busy="true"]')
    && [...document.querySelectorAll('[data-chart]')].every((c) => c.dataset.chart === 'drawn')
    && getComputedStyle(document.getElementById('toast')).opacity === '0');
}

// axe-core's serious and critical violations on the page `p` shows.
async function axeViolations(p, name) {
  await p.evaluate(readFileSync(join(REPO, 'tests/web/node_modules/axe-core/axe.min.js'), 'utf8'));
  const r = await p.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => `${name}: ${v.id} (${v.nodes.length}) ${v.nodes[0].html.slice(0, 120)} ${v.nodes[0].failureSummary.slice(0, 160)}`);
}

test('axe-core finds no serious violation on any page', async () => {
  const found = [];
  for (const [name, hash] of await everyPage()) {
    await open(hash);
    await settled(page);
    // The figures of the charts are checked open.
    await page.$$eval('details', (els) => els.forEach((d) => { d.open = true; }));
    found.push(...await axeViolations(page, name));
  }
  assert.deepEqual(found, []);
});

test('every page fits a 390-pixel phone screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const [name, hash] of await everyPage()) {
      await open(hash);
      await settled(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} is ${overflow}px wider than the screen`);
      if (['dashboard', 'events', 'event-xss', 'search'].includes(name)) await shot(`${name}-phone`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('log out ends the session', async () => {
  await page.click('#logout');
  await page.waitForSelector('#email');
  assert.deepEqual(await axeViolations(page, 'login'), []);
  const status = await page.evaluate(async () => (await fetch('/dashboard/totals')).status);
  assert.equal(status, 403);
});

// Uncaught exceptions and CSP violations; a 4xx answer the tests provoke
// (a wrong password, an invalid attribute) logs "Failed to load resource".
test('no page logged a script error', () => {
  assert.deepEqual(consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(e)), []);
});
