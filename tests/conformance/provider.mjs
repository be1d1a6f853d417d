#!/usr/bin/env node
// An independent OpenID provider for Azid's conformance tests: the npm package oidc-provider (a
// certified OP), served over HTTPS on 127.0.0.1 with a test CA made at start by the openssl
// command line.
//
//   node provider.mjs [--port N] [--state-dir DIR] [--tenant NAME] [--access-token-ttl SEC]
//                     [--device-code-ttl SEC] [--log FILE] [--ignore-stdin]
//
// --state-dir receives the CA, the server certificate and keys (default: a temporary directory,
// removed on exit); --log receives one line per request (default: stderr).
//
// The provider is mounted under /<tenant>/v2.0, so that an Entra-style client configured with
// authority https://127.0.0.1:PORT and tenant <tenant> (default "azid") finds its discovery
// document at https://127.0.0.1:PORT/<tenant>/v2.0/.well-known/openid-configuration. The issuer is
// https://127.0.0.1:PORT/<tenant>/v2.0.
//
// stdout carries only these lines, in this order, then the answers to the control commands below
// (everything else goes to stderr or --log):
//   OIDC_PROVIDER_URL=https://127.0.0.1:PORT
//   OIDC_PROVIDER_ISSUER=https://127.0.0.1:PORT/<tenant>/v2.0
//   OIDC_PROVIDER_TENANT=<tenant>
//   OIDC_PROVIDER_CA=<state dir>/ca.pem
//   OIDC_PROVIDER_SPKI=<base64 SHA-256 of the server certificate's public key>
//   OIDC_PROVIDER_READY
//
// Client: "azid-conformance", a public native client (no secret, PKCE S256 required) with the
// authorization_code, refresh_token and device_code grants and loopback redirect URIs on any port.
// Accounts: any login name and any password on the development login page; the claims are
// sub = preferred_username = name = the login, email = the login (with @azid-conformance.test
// appended when it has no @).
// Scopes: openid profile email offline_access, and the resource scopes
// api://azid-conformance/read and api://azid-conformance/write of the resource (RFC 8707
// resource indicator) api://azid-conformance, chosen by default when a request names one of its
// scopes and no resource parameter.
//
// Stops on SIGTERM, SIGINT or when stdin closes (so it never outlives a test that started it;
// --ignore-stdin turns the last off, e.g. to run it by hand in the background).
//
// Test control: stdin also takes commands, one a line, each answered by one line on stdout (after
// the lines above), so that a test can wait for the answer:
//   access-token-ttl SEC  access tokens issued from now on live SEC seconds
//                         -> OIDC_PROVIDER_ACCESS_TOKEN_TTL=SEC
//   counts                how many requests each endpoint (oidc-provider's route name) has answered
//                         so far; token endpoint requests also as "token:<grant_type>"
//                         -> OIDC_PROVIDER_COUNTS={"discovery":2,"token":3,"token:refresh_token":1,...}
// A line it does not understand is answered with OIDC_PROVIDER_ERROR=<why>. Every request is
// counted before its response is sent, so a count asked for after a client saw its answer
// includes that request.

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

// oidc-provider prints notices with console.info (stdout); stdout is reserved for the lines above.
console.info = (...args) => console.error(...args);

const CLIENT_ID = 'azid-conformance';
const RESOURCE = 'api://azid-conformance';
const RESOURCE_SCOPES = [`${RESOURCE}/read`, `${RESOURCE}/write`];

function usage(message) {
  if (message) console.error(`provider.mjs: ${message}`);
  console.error('usage: node provider.mjs [--port N] [--state-dir DIR] [--tenant NAME] '
    + '[--access-token-ttl SEC] [--device-code-ttl SEC] [--log FILE] [--ignore-stdin]');
  process.exit(2);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'state-dir': { type: 'string' },
      tenant: { type: 'string', default: 'azid' },
      'access-token-ttl': { type: 'string', default: '3600' },
      'device-code-ttl': { type: 'string', default: '600' },
      log: { type: 'string' },
      'ignore-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  usage(error.message);
}
if (options.help) usage();

const port = Number(options.port);
let accessTokenTtl = Number(options['access-token-ttl']); // changed by the access-token-ttl command
const deviceCodeTtl = Number(options['device-code-ttl']);
const tenant = options.tenant;
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`bad --port ${options.port}`);
if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) usage('--access-token-ttl takes whole seconds (>= 1)');
if (!Number.isInteger(deviceCodeTtl) || deviceCodeTtl < 1) usage('--device-code-ttl takes whole seconds (>= 1)');
if (!/^[A-Za-z0-9.-]+$/.test(tenant)) usage('--tenant takes letters, digits, "-" and "." only');

const logStream = options.log ? fs.createWriteStream(options.log, { flags: 'a' }) : null;
function log(...parts) {
  const line = `${new Date().toISOString()} provider: ${parts.join(' ')}\n`;
  if (logStream) logStream.write(line);
  else process.stderr.write(line);
}

let Provider;
let interactionPolicy;
let errors;
try {
  ({ default: Provider, interactionPolicy, errors } = await import('oidc-provider'));
} catch (error) {
  console.error(`provider.mjs: cannot load the npm package oidc-provider (${error.message}). `
    + 'Install the conformance tests\' npm packages: scripts/npm-deps.sh (npm ci in tests/conformance).');
  process.exit(3);
}

// --- TLS: a test CA and a server certificate for 127.0.0.1 and localhost ---------------------------

const ownStateDir = !options['state-dir'];
const stateDir = options['state-dir']
  ? path.resolve(options['state-dir'])
  : fs.mkdtempSync(path.join(os.tmpdir(), 'azid-oidc-provider-'));
fs.mkdirSync(stateDir, { recursive: true });

function openssl(args, input) {
  try {
    return execFileSync('openssl', args, { cwd: stateDir, input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const detail = error.code === 'ENOENT' ? 'the openssl command is not installed' : String(error.stderr || error.message);
    console.error(`provider.mjs: openssl ${args[0]} failed: ${detail.trim()}`);
    process.exit(3);
  }
}

const caKey = path.join(stateDir, 'ca.key');
const caPem = path.join(stateDir, 'ca.pem');
const serverKey = path.join(stateDir, 'server.key');
const serverCsr = path.join(stateDir, 'server.csr');
const serverPem = path.join(stateDir, 'server.pem');
const serverExt = path.join(stateDir, 'server.ext');

openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
  '-keyout', caKey, '-out', caPem, '-days', '2', '-subj', '/CN=Azid conformance test CA',
  '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
  '-keyout', serverKey, '-out', serverCsr, '-subj', '/CN=localhost']);
fs.writeFileSync(serverExt, [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
  '',
].join('\n'));
openssl(['x509', '-req', '-in', serverCsr, '-CA', caPem, '-CAkey', caKey, '-CAcreateserial',
  '-out', serverPem, '-days', '2', '-sha256', '-extfile', serverExt]);
// Chromium's --ignore-certificate-errors-spki-list takes base64(SHA-256(SubjectPublicKeyInfo)).
const publicKeyPem = openssl(['x509', '-in', serverPem, '-noout', '-pubkey']);
const spkiDer = openssl(['pkey', '-pubin', '-outform', 'DER'], publicKeyPem);
const spki = openssl(['dgst', '-sha256', '-binary'], spkiDer).toString('base64');
fs.writeFileSync(path.join(stateDir, 'server.spki'), `${spki}\n`);

// --- the OpenID provider --------------------------------------------------------------------------

// prompt=select_account (sent by MSAL-style clients): oidc-provider accepts only prompt values
// that are names of requestable prompts in its interaction policy. The development interactions
// render only "login" and "consent", so select_account is made a requestable prompt without
// checks of its own, and the login prompt is what resolves it: when select_account was
// requested, the login page (where the person picks an account by typing its name) is shown
// even when a session exists.
const { Prompt, Check, base } = interactionPolicy;
const policy = base();
const selectAccount = new Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.get('login').checks.add(new Check(
  'select_account_requested',
  'the client asked for account selection',
  'account_selection_required',
  (ctx) => (ctx.oidc.prompts.has('select_account') && !ctx.oidc.result?.login
    ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
));
policy.add(selectAccount);

function resourceOfScope(scope) {
  return RESOURCE_SCOPES.includes(scope) ? RESOURCE : undefined;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_name: 'Azid conformance tests',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: ['http://localhost', 'http://127.0.0.1'],
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  responseTypes: ['code'],
  pkce: { required: () => true }, // oidc-provider only supports S256
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  // Put the scope's claims into the ID token (not only the userinfo response), as Entra does: a
  // client learns the account's name from the ID token of the code flow.
  conformIdTokenClaims: false,
  // Parameters MSAL-style clients send that are no OpenID parameters: accepted, and checked.
  extraParams: {
    client_info(ctx, value) {
      if (value !== undefined && value !== '1') {
        throw new errors.InvalidRequest('client_info must be 1');
      }
    },
  },
  interactions: { policy },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // A request that names the resource's scopes but no resource parameter (as Entra clients do:
      // the resource is a prefix of the scope) gets the resource by default.
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf;
        const scopes = String(ctx.oidc.params.scope || '').split(' ');
        const resources = [...new Set(scopes.map(resourceOfScope).filter(Boolean))];
        if (resources.length === 0) return undefined;
        return resources.length === 1 ? resources[0] : resources;
      },
      // The token endpoint keeps the resource the code or refresh token was granted for.
      async useGrantedResource() {
        return true;
      },
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: RESOURCE_SCOPES.join(' '),
          audience: RESOURCE,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: 'opaque',
        };
      },
    },
  },
  // Refresh tokens: oidc-provider's defaults, kept on purpose. A refresh token is issued when the
  // grant includes offline_access, and it does not expire with the browser session. Following
  // OpenID Connect Core 1.0 section 11, offline_access in an authorization request is ignored
  // unless its prompt contains "consent" (the device flow has no prompt and keeps it). Refresh
  // tokens of this public client rotate on every use; reusing a rotated one revokes the grant.
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: sub,
          preferred_username: sub,
          email: sub.includes('@') ? sub : `${sub}@azid-conformance.test`,
          email_verified: true,
        };
      },
    };
  },
  ttl: {
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL || accessTokenTtl,
    AuthorizationCode: 60,
    DeviceCode: deviceCodeTtl,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
  clientBasedCORS: () => false,
  async renderError(ctx, out, error) {
    log('error page:', JSON.stringify(out), error?.stack || '');
    ctx.type = 'html';
    const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>oidc-provider error</title></head><body>
<h1>oidc-provider error</h1>${Object.entries(out).map(([k, v]) => `<p id="${escape(k)}"><b>${escape(k)}</b>: ${escape(v)}</p>`).join('')}
</body></html>`;
  },
};

const prefix = `/${tenant}/v2.0`;
let handle; // oidc-provider's request handler, once the provider exists
const server = https.createServer({ key: fs.readFileSync(serverKey), cert: fs.readFileSync(serverPem) }, (req, res) => {
  const url = req.url || '/';
  if (handle && (url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`))) {
    // Mounted as Express would: oidc-provider reads the mount path from originalUrl.
    req.originalUrl = url;
    req.url = url.slice(prefix.length) || '/';
    handle(req, res);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not_found', error_description: `the provider lives under ${prefix}` }));
});

server.on('tlsClientError', (error) => log('TLS client error:', error.message));
server.listen(port, '127.0.0.1');
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
}).catch((error) => {
  console.error(`provider.mjs: cannot listen on 127.0.0.1:${port}: ${error.message}`);
  process.exit(4);
});

const origin = `https://127.0.0.1:${server.address().port}`;
const issuer = `${origin}${prefix}`;
const provider = new Provider(issuer, configuration);

// A one-line record of every request and its outcome (secrets left out), for test diagnostics.
const SECRET_PARAMS = new Set(['code', 'code_verifier', 'refresh_token', 'device_code', 'password', 'token', 'xsrf']);
const requestCounts = new Map(); // route (and token:<grant_type>) -> requests answered, for "counts"
function countRequest(key) {
  requestCounts.set(key, (requestCounts.get(key) || 0) + 1);
}
provider.use(async (ctx, next) => {
  try {
    await next();
  } finally {
    const route = ctx.oidc?.route;
    if (route) {
      countRequest(route);
      if (route === 'token') countRequest(`token:${ctx.oidc.params?.grant_type || '-'}`);
    }
  }
  const params = ctx.oidc?.params ? Object.entries(ctx.oidc.params.toPlainObject?.() || {}) : [];
  const shown = params.filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${SECRET_PARAMS.has(k) ? '***' : v}`).join(' ');
  log(ctx.method, ctx.originalUrl.split('?')[0], ctx.status, ctx.oidc?.route || '-', shown);
});
for (const event of ['grant.error', 'authorization.error', 'server_error', 'device_authorization.error',
  'code_verification.error', 'revocation.error', 'discovery.error']) {
  provider.on(event, (ctx, error) => log(`${event}:`, error?.name, error?.message, error?.error_description || ''));
}
provider.on('grant.success', (ctx) => log('grant.success:', ctx.oidc.params.grant_type));
handle = provider.callback();

process.stdout.write([
  `OIDC_PROVIDER_URL=${origin}`,
  `OIDC_PROVIDER_ISSUER=${issuer}`,
  `OIDC_PROVIDER_TENANT=${tenant}`,
  `OIDC_PROVIDER_CA=${caPem}`,
  `OIDC_PROVIDER_SPKI=${spki}`,
  'OIDC_PROVIDER_READY',
  '',
].join('\n'));
log('listening at', issuer, 'state in', stateDir);

let stopping = false;
function stop(why) {
  if (stopping) return;
  stopping = true;
  log('stopping:', why);
  server.close();
  server.closeAllConnections?.();
  if (logStream) logStream.end();
  if (ownStateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
function control(line) {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'access-token-ttl' && args.length === 1 && /^[1-9][0-9]*$/.test(args[0])) {
    accessTokenTtl = Number(args[0]);
    log('control: access tokens now live', accessTokenTtl, 's');
    return `OIDC_PROVIDER_ACCESS_TOKEN_TTL=${accessTokenTtl}`;
  }
  if (command === 'counts' && args.length === 0) {
    return `OIDC_PROVIDER_COUNTS=${JSON.stringify(Object.fromEntries(requestCounts))}`;
  }
  return `OIDC_PROVIDER_ERROR=unknown control command (use "access-token-ttl SEC" or "counts"): ${line.trim()}`;
}

if (!options['ignore-stdin']) {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim()) process.stdout.write(`${control(line)}\n`);
    }
  });
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}
