#!/usr/bin/env node
// A real browser for Azid's conformance tests: headless Chromium (Debian's /usr/bin/chromium)
// driven by playwright-core signs in on oidc-provider's development pages.
//
//   node browser.mjs [options] URL
//       As $BROWSER: opens the authorization URL (always the last argument), signs in on the login
//       page, confirms the consent page, follows the redirect to the client's loopback listener
//       and waits until that page ("Authentication complete") has loaded.
//   node browser.mjs [options] --device USER_CODE VERIFICATION_URI
//       The device flow: opens the verification page, enters the code, confirms it, signs in,
//       consents and waits for the provider's success page.
//
// Options (each also from the environment, for a $BROWSER that carries only the URL):
//   --ca FILE        AZID_CONFORMANCE_CA     the provider's CA (PEM). The provider's certificate is
//                                            verified against it (chain, validity, host name) here,
//                                            then Chromium accepts exactly that verified key.
//   --spki HASH      AZID_CONFORMANCE_SPKI   alternatively the base64 SHA-256 of the provider
//                                            certificate's SubjectPublicKeyInfo, trusted as given.
//   --login NAME     AZID_CONFORMANCE_LOGIN  the account to sign in as when the login page is not
//                                            prefilled by login_hint (default alice@azid-conformance.test)
//   --timeout SEC    AZID_CONFORMANCE_BROWSER_TIMEOUT  give up after this long (default 120)
//   AZID_CONFORMANCE_LOG      append the log here (else stderr; stdout stays empty). On failure a
//                             screenshot and the page's HTML are written beside it.
//   AZID_CONFORMANCE_CHROMIUM the Chromium executable (default /usr/bin/chromium)
//
// How the provider's certificate is trusted: Chromium verifies certificates with NSS and its own
// verifier, not with a CA file. Instead of turning certificate checks off (ignoreHTTPSErrors or
// --ignore-certificate-errors, which would accept any certificate for any host), this script
// checks the provider's certificate against the test CA itself and passes only that certificate's
// public-key hash to --ignore-certificate-errors-spki-list, which Chromium honours together with a
// --user-data-dir: every other certificate is still verified as usual. (An NSS database with the
// CA, made with certutil, would need libnss3-tools and a HOME-relative ~/.pki/nssdb.)
//
// Exit status: 0 signed in; 1 the flow failed; 2 usage; 3 something to install is missing.

import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const started = Date.now();
const logFile = process.env.AZID_CONFORMANCE_LOG || '';

function log(...parts) {
  const line = `${new Date().toISOString()} browser[${process.pid}]: ${parts.join(' ')}\n`;
  if (logFile) {
    try {
      fs.appendFileSync(logFile, line);
      return;
    } catch {
      // fall through to stderr
    }
  }
  process.stderr.write(line);
}

function fail(code, message) {
  log(`FAILED: ${message}`);
  if (logFile) process.stderr.write(`browser.mjs: ${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      device: { type: 'boolean', default: false },
      ca: { type: 'string' },
      spki: { type: 'string' },
      login: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
} catch (error) {
  fail(2, `${error.message}; usage: node browser.mjs [--ca FILE] [--login NAME] URL | --device USER_CODE VERIFICATION_URI`);
}
const { values: opts, positionals } = parsed;
if (opts.help || positionals.length === 0) {
  fail(2, 'usage: node browser.mjs [--ca FILE] [--login NAME] URL | --device USER_CODE VERIFICATION_URI');
}

const deviceMode = opts.device;
if (deviceMode && positionals.length !== 2) fail(2, '--device takes USER_CODE VERIFICATION_URI');
const userCode = deviceMode ? positionals[0] : undefined;
const startUrlText = positionals[positionals.length - 1];
let startUrl;
try {
  startUrl = new URL(startUrlText);
} catch {
  fail(2, `not a URL: ${startUrlText}`);
}
if (startUrl.protocol !== 'https:') fail(2, `the provider's page must be https: ${startUrl.origin}`);

const caFile = opts.ca || process.env.AZID_CONFORMANCE_CA || '';
const givenSpki = opts.spki || process.env.AZID_CONFORMANCE_SPKI || '';
const login = opts.login || process.env.AZID_CONFORMANCE_LOGIN || 'alice@azid-conformance.test';
const timeoutSeconds = Number(opts.timeout || process.env.AZID_CONFORMANCE_BROWSER_TIMEOUT || 120);
const chromiumPath = process.env.AZID_CONFORMANCE_CHROMIUM || '/usr/bin/chromium';
if (!caFile && !givenSpki) fail(2, 'name the provider\'s CA with --ca FILE or AZID_CONFORMANCE_CA (or its key with --spki)');

// Logged without the query: it carries state, nonce and the PKCE challenge.
log(deviceMode ? `device flow, code ${userCode}, page ${startUrl.origin}${startUrl.pathname}`
  : `sign-in page ${startUrl.origin}${startUrl.pathname}`);

try {
  fs.accessSync(chromiumPath, fs.constants.X_OK);
} catch {
  fail(3, `Chromium is not installed at ${chromiumPath}: install the Debian package chromium `
    + '(scripts/install-deps.sh)');
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (error) {
  fail(3, `cannot load the npm package playwright-core (${error.message}): run scripts/npm-deps.sh `
    + '(npm ci in tests/conformance)');
}

// The provider's certificate, verified against the CA: returns base64(SHA-256(SPKI)).
function verifiedSpki(url, ca) {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      ca: fs.readFileSync(ca),
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: true,
    }, () => {
      const certificate = new crypto.X509Certificate(socket.getPeerCertificate(false).raw);
      const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
      socket.end();
      resolve(crypto.createHash('sha256').update(spki).digest('base64'));
    });
    socket.setTimeout(10000, () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
  });
}

let spki = givenSpki;
if (!spki) {
  try {
    spki = await verifiedSpki(startUrl, caFile);
  } catch (error) {
    fail(1, `the provider ${startUrl.host} did not present a certificate valid for it under the CA ${caFile}: ${error.message}`);
  }
}
log(`trusting the provider's key sha256/${spki}`);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azid-conformance-chromium-'));
let context;
let finished = false;

async function cleanUp() {
  try {
    if (context) await context.close();
  } catch {
    // the browser is gone already
  }
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

async function finish(code, message) {
  if (finished) return;
  finished = true;
  if (code === 0) log(message);
  else log(`FAILED: ${message}`);
  if (code !== 0 && logFile && context) {
    const page = context.pages()[0];
    if (page) {
      const base = `${logFile}.${process.pid}`;
      try {
        await page.screenshot({ path: `${base}.png`, timeout: 5000 });
        fs.writeFileSync(`${base}.html`, await page.content());
        log(`page at failure: ${page.url().split('?')[0]} (screenshot ${base}.png)`);
      } catch {
        // best effort
      }
    }
  }
  if (code !== 0 && logFile) process.stderr.write(`browser.mjs: ${message}\n`);
  await cleanUp();
  process.exit(code);
}

const watchdog = setTimeout(() => {
  finish(1, `gave up after ${timeoutSeconds} s`);
}, timeoutSeconds * 1000);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => finish(1, `stopped by ${signal}`));
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-proxy-server',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
    ignoreHTTPSErrors: false,
    timeout: 60000,
  });
} catch (error) {
  await finish(3, `Chromium (${chromiumPath}) did not start through playwright-core: ${error.message.split('\n')[0]}`);
}

// Only the provider and the loopback listener are reachable: the development pages import web
// fonts, which would wait on a network that tests do not have.
const providerOrigin = startUrl.origin;
const blocked = new Set();
const isLoopbackHttp = (u) => u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
await context.route('**/*', (route) => {
  let u;
  try {
    u = new URL(route.request().url());
  } catch {
    return route.abort();
  }
  if (u.origin === providerOrigin || isLoopbackHttp(u)) return route.continue();
  if (!blocked.has(u.origin)) {
    blocked.add(u.origin);
    log(`blocked ${u.origin} (only the provider and the loopback listener are reachable)`);
  }
  return route.abort('blockedbyclient');
});

const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(30000);
page.on('console', (message) => {
  const text = message.text();
  if (message.type() === 'verbose' || text.includes('net::ERR_BLOCKED_BY_CLIENT')) return;
  log(`console ${message.type()}: ${text}`);
});

async function submitAndWait(action) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
}

async function step() {
  const url = new URL(page.url());
  const where = `${url.origin}${url.pathname}`;
  if (isLoopbackHttp(url)) {
    const text = ((await page.innerText('body')) || '').replace(/\s+/g, ' ');
    if (/Authentication complete/i.test(text)) return { done: 0, message: `redirected to the loopback listener ${where}: ${text.trim()}` };
    return { done: 1, message: `the loopback listener ${where} answered: ${text.trim().slice(0, 300)}` };
  }
  if (url.origin !== providerOrigin) return { done: 1, message: `unexpected page ${where}` };

  const title = await page.title();
  if (await page.$('input[name="user_code"]:not([type="hidden"])')) {
    if (!deviceMode) return { done: 1, message: `the provider asks for a user code at ${where}` };
    const error = await page.$('p.red');
    if (error) return { done: 1, message: `the provider refused the code: ${(await error.textContent()).trim()}` };
    log(`entering the user code at ${where}`);
    await page.fill('input[name="user_code"]', userCode);
    await submitAndWait(() => page.click('button[form="op.deviceInputForm"]'));
    return undefined;
  }
  if (await page.$('form[id="op.deviceConfirmForm"]')) {
    log(`confirming the device at ${where}`);
    await submitAndWait(() => page.click('button[autofocus][form="op.deviceConfirmForm"]'));
    return undefined;
  }
  if (await page.$('input[name="prompt"][value="login"]')) {
    const prefilled = await page.inputValue('input[name="login"]');
    const account = prefilled || login;
    log(`signing in as ${account}${prefilled ? ' (login_hint)' : ''} at ${where}`);
    if (!prefilled) await page.fill('input[name="login"]', account);
    await page.fill('input[name="password"]', 'any password: the development login accepts all');
    await submitAndWait(() => page.click('form:has(input[name="prompt"][value="login"]) button[type="submit"]'));
    return undefined;
  }
  if (await page.$('input[name="prompt"][value="consent"]')) {
    const asked = ((await page.textContent('ul')) || '').replace(/\s+/g, ' ').trim();
    log(`consenting at ${where}: ${asked}`);
    await submitAndWait(() => page.click('form:has(input[name="prompt"][value="consent"]) button[type="submit"]'));
    return undefined;
  }
  if (/Sign-in Success/i.test(title)) {
    if (deviceMode) return { done: 0, message: 'the provider confirmed the device sign-in' };
    return { done: 1, message: 'the provider showed its device success page in the browser flow' };
  }
  const text = ((await page.innerText('body')) || '').replace(/\s+/g, ' ').trim();
  return { done: 1, message: `unexpected page "${title}" at ${where}: ${text.slice(0, 400)}` };
}

try {
  const response = await page.goto(startUrl.href, { waitUntil: 'load' });
  log(`opened, HTTP ${response ? response.status() : '?'}`);
  for (let i = 0; i < 12; i += 1) {
    const outcome = await step();
    if (outcome) {
      clearTimeout(watchdog);
      await finish(outcome.done, `${outcome.message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  await finish(1, 'too many pages without reaching the end of the flow');
} catch (error) {
  await finish(1, `browser automation failed: ${error.message.split('\n')[0]}`);
}
