// A real OpenID Connect provider for vejud's tests: the certified npm package
// `oidc-provider` (package.json devDependencies) on 127.0.0.1.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 0, "issuer": "http://127.0.0.1:PORT",
//   "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//                "post_logout_redirect_uris": [...], "backchannel_logout_uri": null|"...",
//                "fault": null|"aud"|"expired"|"unknown_key"}],
//   "accounts": {"<sub>": {"password", "email", "name", "acr", "amr": [...]}},
//   "control_token": "..."}
//
// Accounts log in on the provider's own form (/interaction/<uid>) with their sub and
// password; the login's acr and amr are the account's. Consent is implied (first-party
// clients). A client with a "fault" gets ID tokens that the token endpoint altered after
// the provider issued them, as a misconfigured or hostile provider would: another
// audience, an expiry in the past, or a signature by a key the JWKS does not publish.
// Back-channel logout (OpenID Connect Back-Channel Logout 1.0) is on: a logout at the
// provider's end-session endpoint posts a signed logout_token to each client's
// backchannel_logout_uri. The provider's administrator (the tests, or a person trying the
// demo) disables or enables an account with
//   POST /control/disable/<sub>   POST /control/enable/<sub>   (Authorization: Bearer <control_token>)
// and adds an account with POST /control/account/<sub> (a JSON body as in "accounts").
// A disabled account's login is refused (error=access_denied), and disabling it sends every
// client with a back-channel logout address a logout token for the subject.
// Prints "ready <issuer>" on stdout once it listens.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import querystring from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { accounts } = config;

function rsaKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

const published = rsaKey('vejud-test-signing');
const unpublished = rsaKey('vejud-test-not-published');

const b64url = (data) => Buffer.from(data).toString('base64url');

function resign(idToken, fault) {
  const [, body] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  let key = published;
  const now = Math.floor(Date.now() / 1000);
  if (fault === 'aud') claims.aud = 'another-application';
  if (fault === 'expired') {
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  }
  if (fault === 'unknown_key') key = unpublished;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

const faults = Object.fromEntries(config.clients.map((c) => [c.client_id, c.fault || null]));

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris || [],
    ...(c.backchannel_logout_uri ? {
      backchannel_logout_uri: c.backchannel_logout_uri,
      backchannel_logout_session_required: false,
    } : {}),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [published.jwk] },
  acrValues: ['low', 'substantial', 'high'],
  // acr and amr in every ID token (as identity brokers send them), and the scopes' claims
  // in the ID token too, not only from the userinfo endpoint.
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  // The provider's own outgoing requests (the back-channel logout posts) go to vejud on
  // 127.0.0.1 here: oidc-provider refuses loopback addresses by default (SSRF protection),
  // which a test and demo provider on the same machine must not.
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: account.email, email_verified: true, name: account.name };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  await next();
  const fault = ctx.oidc?.client ? faults[ctx.oidc.client.clientId] : null;
  if (ctx.path === '/token' && ctx.status === 200 && fault && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, fault) };
  }
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Sign in</button></form></main></body></html>`;
}

function readText(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(querystring.parse(data)));
    req.on('error', reject);
  });
}

const callback = provider.callback();

async function control(req, res, action, sub) {
  res.setHeader('Content-Type', 'application/json');
  const account = accounts[sub];
  if (req.method !== 'POST' || !config.control_token
      || req.headers.authorization !== `Bearer ${config.control_token}`
      || (!account && action !== 'account')) {
    res.statusCode = 403;
    res.end('{"error":"forbidden"}');
    return;
  }
  if (action === 'account') {
    accounts[sub] = { ...JSON.parse(await readText(req) || '{}'), disabled: false };
    res.end(JSON.stringify({ sub, created: true }));
    return;
  }
  account.disabled = action === 'disable';
  const delivered = [];
  const failed = [];
  if (account.disabled) {
    for (const c of config.clients.filter((x) => x.backchannel_logout_uri)) {
      const client = await provider.Client.find(c.client_id);
      try {
        await client.backchannelLogout(sub);
        delivered.push(c.client_id);
      } catch (error) {
        failed.push(`${c.client_id}: ${error.message}`);
      }
    }
  }
  res.end(JSON.stringify({ sub, disabled: account.disabled, delivered, failed }));
}

const server = http.createServer(async (req, res) => {
  const controlMatch = req.url.match(/^\/control\/(disable|enable|account)\/([^/?]+)$/);
  if (controlMatch) {
    await control(req, res, controlMatch[1], decodeURIComponent(controlMatch[2]));
    return;
  }
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.method === 'GET') {
      res.end(loginPage(details.uid, ''));
      return;
    }
    const form = await readBody(req);
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      res.end(loginPage(details.uid, 'Wrong username or password.'));
      return;
    }
    if (account.disabled) {
      const refusal = { error: 'access_denied', error_description: 'The account is disabled.' };
      await provider.interactionFinished(req, res, refusal, { mergeWithLastSubmission: false });
      return;
    }
    const login = { accountId: form.login, acr: account.acr, amr: account.amr || ['pwd'] };
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 400;
    res.end(`interaction failed: ${escape(error.message)}`);
  }
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${config.issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
