// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (OpenID
// certified), with its development log-in and consent pages. Configured by the environment:
//
//   PORT           where it listens (127.0.0.1 only)
//   ISSUER         its issuer identifier (default http://127.0.0.1:PORT)
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated)   the one client: the site
//   KEY_ID         the signing key's "kid"; every start makes a new RSA key
//
// Any log-in name works at its log-in page (the password is ignored). The account's claims
// follow from the name: "ada" is ada@example.com, verified; a name ending in ".unverified"
// has email_verified false; "noemail" has no email at all.
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const port = Number(env('PORT'));
const issuer = env('ISSUER', `http://127.0.0.1:${port}`);

function claimsFor(accountId) {
  const name = accountId.replace(/\.unverified$/, '');
  const claims = {
    sub: accountId,
    name: name.charAt(0).toUpperCase() + name.slice(1),
    preferred_username: name,
  };
  if (accountId !== 'noemail') {
    claims.email = `${name}@example.com`;
    claims.email_verified = !accountId.endsWith('.unverified');
  }
  return claims;
}

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: env('KEY_ID', 'test-key'), alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID'),
      client_secret: env('CLIENT_SECRET'),
      redirect_uris: env('REDIRECT_URIS').split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signingKey] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // The site must send PKCE: a request without it is refused here.
  pkce: { required: () => true },
  cookies: { keys: ['ideastorm-test-provider-cookies'] },
  async findAccount(ctx, accountId) {
    return {
      accountId,
      async claims() {
        return claimsFor(accountId);
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
