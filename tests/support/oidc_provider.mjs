// A real, certified OpenID provider for the tests: panva's `oidc-provider` (npm), started by
// tests/support/oidc.py as `node oidc_provider.mjs <settings.json>`.
//
// The settings file names the port, one client (id, secret, redirect and post-logout redirect URIs)
// and the file of test accounts. The accounts file is read again at every lookup, so a test can
// change a person's groups between two sign-ins. Accounts: {"<login>": {"email": ..., "email_verified":
// ..., "name": ..., "groups": [...]}}; the login typed on the provider's own (development) login page
// is the account's subject. PKCE (S256) is required; RP-initiated logout is on.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${settings.port}`;

function accounts() {
  return JSON.parse(readFileSync(settings.accounts, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: settings.client_id,
    client_secret: settings.client_secret,
    redirect_uris: settings.redirect_uris,
    post_logout_redirect_uris: settings.post_logout_redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // The client is the site itself (first party): no consent page, every requested scope is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['lms-test-provider-cookie-key'] },
  ttl: { Session: 3600, Grant: 3600, Interaction: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
});

provider.on('server_error', (ctx, error) => { console.error('server_error', error); });

const server = provider.listen(settings.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
