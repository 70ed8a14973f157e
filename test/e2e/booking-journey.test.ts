/**
 * The web app in real Chromium against the embedded system: a traveller books and pays, a declined
 * card, a hold that runs out, and an admin who adds a flight. Screenshots of the main screens go
 * to docs/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hasServers } from '@aerofly/testing';
import { startEmbeddedSystem, type RunningSystem } from './embedded-system.js';

const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const canRun = hasServers('browser (e2e)', ['chromium'], () => existsSync(chromiumPath));
const screenshots = join(process.cwd(), 'docs/screenshots');
const holdSeconds = 20;
const admin = { email: 'admin@aerofly.test', password: 'admin-password-e2e' };
const traveller = { name: 'Ada Lovelace', email: `ada+${Date.now()}@example.com`, password: 'correct-horse-battery' };

type Airport = { code: string; timeZone: string };
type TestFlight = { id: string; flightNumber: string; from: Airport; to: Airport; date: string };

/** The local calendar date of an instant in a zone, as YYYY-MM-DD. */
const localDate = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

/** "YYYY-MM-DDTHH:MM" wall time of an instant in a zone. */
function wallTime(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The instant a wall time names in a zone (two passes settle daylight-saving offsets). */
function utcOfWallTime(wall: string, timeZone: string): Date {
  const asUtc = Date.parse(`${wall}:00Z`);
  let guess = asUtc;
  for (let pass = 0; pass < 2; pass += 1) guess = asUtc - (Date.parse(`${wallTime(new Date(guess), timeZone)}:00Z`) - guess);
  return new Date(guess);
}

describe.skipIf(!canRun)('web app in a real browser', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let adminToken: string;
  let airplaneId: string;
  let airports: Airport[];
  let flight: TestFlight;

  async function callApi<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
    const response = await fetch(`${system.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The airport with that code when the demo data has it, else any other than `other`. */
  const pick = (code: string, other?: Airport): Airport =>
    airports.find((airport) => airport.code === code && code !== other?.code) ?? airports.find((airport) => airport.code !== other?.code)!;

  const items = <T>(answer: T[] | { items: T[] }) => (Array.isArray(answer) ? answer : answer.items);

  async function shoot(target: Page, name: string, fullPage = true) {
    await target.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
  }

  async function openBookPage(target: Page, passengers: number) {
    await target.goto(`${system.url}/book?flights=${flight.id}&cabin=economy&passengers=${passengers}`);
    await target.getByRole('group', { name: /Seat map/ }).waitFor();
  }

  async function holdSeats(target: Page, names: [string, string][], seats: string[]) {
    for (const [index, [first, last]] of names.entries()) {
      await target.getByLabel('First name').nth(index).fill(first);
      await target.getByLabel('Last name').nth(index).fill(last);
    }
    for (const seat of seats) await target.locator(`button[data-seat="${seat}"]`).click();
    await target.getByRole('button', { name: 'Hold seats and continue to payment' }).click();
    await target.getByRole('timer').waitFor();
  }

  async function payWith(target: Page, cardNumber: string) {
    await target.getByLabel('Card number').fill(cardNumber);
    await target.getByLabel('Expiry (MM/YY)').fill('12/30');
    await target.getByLabel('CVC').fill('123');
    await target.getByRole('button', { name: /^Pay / }).click();
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    system = await startEmbeddedSystem({
      BOOKING_HOLD_SECONDS: String(holdSeconds),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      CURRENCY: 'USD',
    });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await context.newPage();

    // A flight of our own with a small, known seat map, so seats and counts are predictable.
    adminToken = (await callApi<{ accessToken: string }>('POST', '/auth/login', admin, '')).accessToken;
    airports = items(await callApi<Airport[] | { items: Airport[] }>('GET', '/airports?limit=100'));
    expect(airports.length).toBeGreaterThanOrEqual(2);
    const airplane = await callApi<{ id: string }>('POST', '/airplanes', {
      model: 'Test Jet 100',
      registration: `N${Date.now() % 100000}E`,
      cabins: [
        { cabin: 'economy', firstRow: 1, lastRow: 6, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [3], blockedSeats: ['6F'] },
      ],
    });
    airplaneId = airplane.id;
    // A real-looking route when the demo data has it (screenshots read better), else any two airports.
    const from = pick('JFK');
    const to = pick('LHR', from);
    const departure = new Date(Date.now() + 12 * 86_400_000);
    departure.setUTCHours(12, 0, 0, 0);
    const created = await callApi<{ id: string; flightNumber: string }>('POST', '/flights', {
      flightNumber: `AF${1000 + (Date.now() % 8999)}`,
      airplaneId,
      from: from.code,
      to: to.code,
      departureAt: departure.toISOString(),
      arrivalAt: new Date(departure.getTime() + 425 * 60_000).toISOString(),
      fares: { economy: { amount: 12_900, currency: 'USD' } },
    });
    flight = { id: created.id, flightNumber: created.flightNumber, from, to, date: localDate(departure, from.timeZone) };
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('a traveller signs up, searches, picks seats, books, pays, and finds the trip and the email', async () => {
    await page.goto(`${system.url}/`);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Name').fill(traveller.name);
    await page.getByLabel('Email').fill(traveller.email);
    await page.getByLabel('Password').fill(traveller.password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('link', { name: 'My trips' }).waitFor();

    await page.getByRole('combobox', { name: 'From' }).fill(flight.from.code);
    await page.getByRole('combobox', { name: 'From' }).press('Enter');
    await page.getByRole('combobox', { name: 'To' }).fill(flight.to.code);
    await page.getByRole('combobox', { name: 'To' }).press('Enter');
    await page.getByLabel('Date').fill(flight.date);
    await page.getByLabel('Passengers').fill('2');
    await page.getByRole('button', { name: 'Search flights' }).click();
    const card = page.locator('article.itinerary', { hasText: flight.flightNumber });
    await card.waitFor();
    expect(await card.textContent()).toContain('$129.00');
    expect(await card.textContent()).toContain('$258.00 total');
    await shoot(page, 'search-results');

    await card.getByRole('button', { name: 'Select' }).click();
    await page.getByRole('group', { name: /Seat map/ }).waitFor();
    expect(await page.locator('button[data-seat="6F"]').isDisabled()).toBe(true);
    await page.getByLabel('First name').nth(0).fill('Ada');
    await page.getByLabel('Last name').nth(0).fill('Lovelace');
    await page.getByLabel('First name').nth(1).fill('Charles');
    await page.getByLabel('Last name').nth(1).fill('Babbage');
    await page.locator('button[data-seat="2A"]').click();
    await page.locator('button[data-seat="2B"]').click();
    expect(await page.locator('button[data-seat="2A"]').getAttribute('aria-label')).toBe('Seat 2A, window, chosen for passenger 1');
    await shoot(page, 'seat-map');

    await page.getByRole('button', { name: 'Hold seats and continue to payment' }).click();
    await page.getByRole('timer').waitFor();
    expect(await page.getByRole('timer').textContent()).toMatch(/^0:(1\d|20)$/);
    expect(await page.locator('main').textContent()).toContain('2A');
    await shoot(page, 'booking-countdown');

    await payWith(page, '4242424242424242');
    await page.getByRole('heading', { name: "You're booked!" }).waitFor();
    const reference = (await page.getByTestId('reference').textContent())?.trim() ?? '';
    expect(reference).toMatch(/^[A-Z0-9]{6}$/);
    await shoot(page, 'confirmation');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My trips' }).click();
    const trip = page.getByRole('link', { name: new RegExp(`Booking ${reference}, confirmed`) });
    await trip.waitFor();
    await shoot(page, 'my-trips');

    // The confirmation email reaches the dev mailbox once the event has gone through the outbox.
    const mailbox = await context.newPage();
    await expect
      .poll(
        async () => {
          await mailbox.goto(`${system.url}/dev/mailbox`);
          return mailbox.locator('body').textContent();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain(reference);
    await shoot(mailbox, 'dev-mailbox');
    await mailbox.getByRole('link', { name: new RegExp(`booking ${reference} is confirmed`) }).click();
    await expect.poll(() => mailbox.locator('body').textContent()).toMatch(/2A[\s\S]*2B|2B[\s\S]*2A/);
    expect(await mailbox.locator('body').textContent()).toContain('Charles');
    await shoot(mailbox, 'confirmation-email');
    await mailbox.close();
  });

  it('a declined card shows the decline; another card pays, and the trip can be cancelled after a confirmation', async () => {
    await openBookPage(page, 1);
    await holdSeats(page, [['Grace', 'Hopper']], []);
    await payWith(page, '4000000000000002');
    await page.getByRole('alert').filter({ hasText: 'Your card was declined' }).waitFor();
    await shoot(page, 'payment-declined');
    expect(await page.getByRole('timer').isVisible()).toBe(true);

    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('heading', { name: "You're booked!" }).waitFor();

    // Cancelling from the trip page asks first, then releases the seat and refunds.
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, cancel booking' }).click();
    await page.getByText('Status: Cancelled').waitFor();
    await page.getByText(/\$129\.00 (was|is being) refunded to your card/).waitFor();
  });

  it('when the access token has expired, then two open tabs refresh it once between them and stay on their page', async () => {
    const before = await page.evaluate<string>(`JSON.parse(localStorage.getItem('aerofly.session')).refreshToken`);
    // Age the stored access token as if 15 minutes had passed (the refresh token stays valid).
    await page.evaluate(`(() => {
      const session = JSON.parse(localStorage.getItem('aerofly.session'));
      const [head, body, signature] = session.accessToken.split('.');
      const payload = JSON.parse(atob(body.replace(/-/g, '+').replace(/_/g, '/')));
      payload.exp = Math.floor(Date.now() / 1000) - 60;
      const encoded = btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/[+]/g, '-').replace(/[/]/g, '_');
      session.accessToken = [head, encoded, signature].join('.');
      localStorage.setItem('aerofly.session', JSON.stringify(session));
    })()`);
    const refreshCalls: string[] = [];
    const countRefresh = (request: { url(): string }) => {
      if (request.url().endsWith('/api/v1/auth/refresh')) refreshCalls.push(request.url());
    };
    context.on('request', countRefresh);
    const second = await context.newPage();
    await Promise.all([page.goto(`${system.url}/trips`), second.goto(`${system.url}/trips`)]);
    for (const tab of [page, second]) {
      await tab.getByRole('heading', { name: 'My trips' }).waitFor();
      expect(new URL(tab.url()).pathname).toBe('/trips');
    }
    const after = await page.evaluate<string>(`JSON.parse(localStorage.getItem('aerofly.session')).refreshToken`);
    expect(after).not.toBe(before);
    expect(refreshCalls).toHaveLength(1);
    context.off('request', countRefresh);
    // Had both tabs presented the old refresh token, the family would now be revoked.
    await second.reload();
    await second.getByRole('heading', { name: 'My trips' }).waitFor();
    await second.close();
  });

  it('when the hold runs out, then the page says the seats were released and the seat is free again', async () => {
    await openBookPage(page, 1);
    await holdSeats(page, [['Alan', 'Turing']], ['4C']);
    await page.getByText('Your hold expired and the seats were released').waitFor({ timeout: (holdSeconds + 10) * 1000 });
    expect(await page.getByRole('button', { name: /^Pay / }).count()).toBe(0);
    await page.getByText('Status: Expired').waitFor();
    await shoot(page, 'hold-expired');

    await expect
      .poll(
        async () => {
          await openBookPage(page, 1);
          return page.locator('button[data-seat="4C"]').getAttribute('aria-label');
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .toBe('Seat 4C, aisle, free');
  });

  it('an admin creates a flight that travellers then find in search, edits its fares and cancels it, imports an airplane and adds an airport', async () => {
    const adminContext = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const adminPage = await adminContext.newPage();
    await adminPage.goto(`${system.url}/admin/flights`);
    await adminPage.getByLabel('Email').fill(admin.email);
    await adminPage.getByLabel('Password').fill(admin.password);
    await adminPage.getByRole('button', { name: 'Log in' }).click();
    await adminPage.getByRole('heading', { name: 'Create a flight' }).waitFor();

    const from = pick('CDG');
    const to = pick('JFK', from);
    const day = localDate(new Date(Date.now() + 15 * 86_400_000), from.timeZone);
    const departure = utcOfWallTime(`${day}T07:45`, from.timeZone);
    const number = `AF${1000 + ((Date.now() + 4321) % 8999)}`;
    await adminPage.getByLabel('Flight number').fill(number);
    await adminPage.getByLabel('Airplane').selectOption(airplaneId);
    await adminPage.getByLabel('From', { exact: true }).selectOption(from.code);
    await adminPage.getByLabel('To', { exact: true }).selectOption(to.code);
    await adminPage.getByLabel('Departure (local time at origin)').fill(`${day}T07:45`);
    await adminPage
      .getByLabel('Arrival (local time at destination)')
      .fill(wallTime(new Date(departure.getTime() + 3 * 3_600_000), to.timeZone));
    await adminPage.getByLabel('Economy').fill('99.50');
    await adminPage.getByRole('button', { name: 'Create flight' }).click();
    await adminPage.getByText(`Flight ${number} created.`).waitFor();
    await shoot(adminPage, 'admin-flights', false);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const search = await phone.newPage();
    await search.goto(`${system.url}/?from=${from.code}&to=${to.code}&date=${day}&passengers=1&cabin=economy`);
    const found = search.locator('article.itinerary', { hasText: number });
    await found.waitFor();
    expect(await found.textContent()).toContain('07:45');
    expect(await found.textContent()).toContain('$99.50');
    await search.getByLabel('Nonstop only').check();
    await search.getByLabel('Sort by').selectOption('duration:asc');
    await expect.poll(() => search.url()).toContain('sort=duration');
    await found.waitFor();
    expect(await search.getByRole('alert').count()).toBe(0);
    await shoot(search, 'search-phone');

    // Fares are edited and the flight cancelled from the list; search then no longer offers it.
    await adminPage.getByLabel('From (code)').fill(from.code);
    await adminPage.getByLabel('To (code)').fill(to.code);
    await adminPage.getByLabel('Departure date (local)').fill(day);
    await adminPage.getByRole('button', { name: 'Find flights' }).click();
    const row = adminPage.getByRole('row', { name: new RegExp(number) });
    await row.getByRole('button', { name: 'Edit fares' }).click();
    await row.getByLabel('Economy').fill('89');
    await row.getByRole('button', { name: 'Save fares' }).click();
    await expect.poll(() => row.textContent()).toContain('Economy $89.00');
    await row.getByRole('button', { name: 'Cancel flight' }).click();
    await row.getByRole('button', { name: 'Yes, cancel flight' }).click();
    await expect.poll(() => row.textContent()).toContain('cancelled');
    await expect
      .poll(
        async () => {
          await search.reload();
          await search.getByRole('heading', { name: `${from.code} → ${to.code}` }).waitFor();
          await search.locator('.loading').waitFor({ state: 'detached' });
          return search.locator('article.itinerary', { hasText: number }).count();
        },
        { timeout: 30_000, interval: 2_000 },
      )
      .toBe(0);
    await phone.close();

    await adminPage.getByRole('link', { name: 'Airplanes' }).click();
    const registration = `N${(Date.now() % 9000) + 1000}T`;
    await adminPage.getByLabel('Airplane JSON').fill(
      JSON.stringify({
        model: 'Embraer E175',
        registration,
        cabins: [{ cabin: 'economy', firstRow: 1, lastRow: 20, seatLetters: 'ACDF', aisleAfter: ['C'] }],
      }),
    );
    await adminPage.getByRole('button', { name: 'Import airplane' }).click();
    await adminPage.getByText(`Airplane ${registration} added.`).waitFor();
    await adminPage.getByRole('row', { name: new RegExp(registration) }).waitFor();

    await adminPage.getByRole('link', { name: 'Airports', exact: true }).click();
    await adminPage.getByLabel('IATA code').fill('ZQV');
    await adminPage.getByLabel('Name', { exact: true }).fill('Porto Velho Test Field');
    await adminPage.getByLabel('City').selectOption('new');
    await adminPage.getByLabel('City name').fill('Testville');
    await adminPage.getByLabel('Country code').fill('PT');
    await adminPage.getByLabel('Time zone').fill('Europe/Lisbon');
    await adminPage.getByRole('button', { name: 'Add airport' }).click();
    await adminPage.getByText('Airport ZQV added.').waitFor();

    await adminPage.getByRole('link', { name: 'Failed emails' }).click();
    await adminPage.getByText('No failed emails. Every notification was delivered.').waitFor();

    await adminPage.getByRole('link', { name: 'Inventory check' }).click();
    await adminPage.getByRole('button', { name: 'Run check' }).click();
    await adminPage.getByText(/flights checked/).waitFor();
    expect(await adminPage.getByText('All consistent').count()).toBe(1);
    await shoot(adminPage, 'admin-inventory');
    await adminContext.close();
  });
});
