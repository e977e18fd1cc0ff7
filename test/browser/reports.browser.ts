// The reports of the last `npm run conformance` (reports/) as a person sees them: opened in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no browser download).
// The Allure report is served over http from localhost, because its index.html fetches its data;
// the traceability page is a plain file. Skipped, with the reason, without Chromium or reports.
//
//   npm run conformance && npm run test:browser

import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, serve } from './chromium';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORTS = path.resolve(ROOT, process.env.MEMCONFORM_REPORTS || 'reports');
interface Counts {
  requirements: number;
  holds: number;
  violated: number;
  uncovered: number;
  suspect: number;
  not_applicable: number;
  scenarios: number;
  scenarios_not_run: number;
}

describe('the reports in headless Chromium', function () {
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  /** Requests a page made to anything but localhost or a file. */
  const outside: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set MEMCONFORM_CHROMIUM)`);
      this.skip();
    }
    if (!fs.existsSync(path.join(REPORTS, 'traceability.json'))) {
      console.log(`      skipped: no reports in ${REPORTS} (run npm run conformance first)`);
      this.skip();
    }
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-chromium-'));
    context = await launchChromium(userDataDir);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'file:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
  });

  after(async () => {
    await context?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  const counts = (): Counts => (JSON.parse(fs.readFileSync(path.join(REPORTS, 'traceability.json'), 'utf8')) as { counts: Counts }).counts;

  async function open(url: string): Promise<Page> {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    (page as Page & { errors?: string[] }).errors = errors;
    return page;
  }

  it('Allure overview shows the number of test cases the run had', async function () {
    const reportDir = path.join(REPORTS, 'allure-report');
    if (!fs.existsSync(path.join(reportDir, 'index.html'))) {
      console.log('      skipped: no Allure HTML report (it needs Java)');
      this.skip();
    }
    const c = counts();
    const expected = c.scenarios - c.scenarios_not_run;
    const server = await serve(reportDir);
    try {
      const page = await open(server.url);
      // The summary widget renders "N test cases" once the report's data has loaded.
      // (A string: it runs in the page, where `document` is; this project compiles without the DOM types.)
      const handle = await page.waitForFunction('/(\\d+)\\s*test cases/i.exec(document.body.innerText)?.[1]', undefined, { timeout: 30_000 });
      expect(Number(await handle.jsonValue()), 'test cases on the overview').to.equal(expected);
      expect((page as Page & { errors?: string[] }).errors, 'page errors').to.deep.equal([]);
      await page.close();
    } finally {
      await server.close();
    }
    // Allure's index.html loads Google Tag Manager; the route above blocks it (no network here).
    expect(outside.filter((u) => !u.startsWith('https://www.googletagmanager.com/')), 'requests outside localhost').to.deep.equal([]);
  });

  it('the traceability page shows the requirement counts and filters the requirements', async () => {
    outside.length = 0;
    const c = counts();
    const page = await open(`file://${path.join(REPORTS, 'traceability.html')}`);
    const count = async (key: string) => Number(await page.textContent(`[data-count="${key}"]`));
    expect(await count('requirements')).to.equal(c.requirements);
    expect(await count('holds')).to.equal(c.holds);
    expect(await count('violated')).to.equal(c.violated);
    expect(await count('not_applicable')).to.equal(c.not_applicable);
    expect(await count('uncovered')).to.equal(c.uncovered);
    expect(await count('suspect')).to.equal(c.suspect);
    expect(await page.locator('tr.req:visible').count(), 'rows shown before filtering').to.equal(c.requirements);
    expect(await page.textContent('#shown')).to.equal(`${c.requirements} of ${c.requirements}`);

    // The text filter: one requirement by ID.
    await page.fill('#filter', 'HP-VETO');
    expect(await page.locator('tr.req:visible').count()).to.equal(1);
    expect(await page.textContent('#shown')).to.equal(`1 of ${c.requirements}`);
    // The status filter, through a click on a count.
    await page.fill('#filter', '');
    await page.click('#count-holds');
    expect(await page.locator('tr.req:visible').count()).to.equal(c.holds);
    expect((page as Page & { errors?: string[] }).errors, 'page errors').to.deep.equal([]);
    await page.close();
    expect(outside, 'requests outside localhost').to.deep.equal([]);
  });
});
