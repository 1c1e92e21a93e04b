// A reviewer's browser tests: the search page against the merged
// restSearch, its downloads, and what log out leaves on the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, chromiumCheck, EMAIL, PASSWORD } from './harness.mjs';

const skip = chromiumCheck();
if (skip) {
  console.log(`skipped: browser tests: ${skip}`);
  process.exit(0);
}
let srv, br, page;

before(async () => {
  srv = await startServer();
  br = await launchBrowser();
  page = await br.context.newPage();
  await page.goto(`${srv.base}/#/login`);
  await page.fill('#email', EMAIL);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('#logout');
});

after(async () => {
  if (br) await br.close();
  if (srv) srv.stop();
});

// Before the fix page N asked for limit 101 at page N, so the 101st row
// of every page was never shown.
test('the search pages show every match once', async () => {
  const all = (await srv.api('/attributes/restSearch', { type: 'md5' })).response.Attribute;
  assert.ok(all.length > 100, `only ${all.length} md5 attributes`);
  const seen = [];
  for (let n = 1; ; n++) {
    await page.evaluate((p) => { location.hash = `#/search?type=md5&page=${p}`; }, n);
    await page.waitForFunction((p) => document.querySelector('#result-count')
      && document.querySelector('#result-count').textContent.endsWith(`page ${p}`), n);
    seen.push(...await page.$$eval('#search-results tbody tr td:nth-child(6)', (els) => els.map((e) => e.textContent)));
    if (await page.isDisabled('nav.pager button:last-child')) break;
  }
  assert.deepEqual(seen.sort(), all.map((a) => a.value).sort());
});

// Before the fix the page offered openioc, which restSearch refuses.
test('every download format of the search page is one restSearch accepts', async () => {
  const formats = await page.evaluate(async () => (await import('/ui/js/pages/search.js')).FORMATS.map(([f]) => f));
  assert.ok(formats.length > 5, String(formats));
  for (const format of formats) {
    const res = await fetch(`${srv.base}/attributes/restSearch`, {
      method: 'POST',
      headers: { Authorization: srv.key, Accept: '*/*', 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'md5', returnFormat: format }),
    });
    assert.equal(res.status, 200, `${format}: ${await res.text()}`);
  }
});

// Before the fix `.top { display: flex }` beat the hidden attribute, so
// the login page kept the previous user's e-mail, organisation and a
// Log out button on screen.
test('log out hides the previous user from the login page', async () => {
  await page.click('#logout');
  await page.waitForSelector('#email');
  assert.equal(await page.isVisible('#top'), false);
  assert.equal(await page.evaluate(() => document.body.innerText.includes('admin@admin.test')), false);
});
