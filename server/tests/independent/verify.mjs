// An independent check of a Placement Passport, with the OpenWallet Foundation's SD-JWT VC
// implementation (@sd-jwt/sd-jwt-vc), which the app's own code shares nothing with.
//
//   node verify.mjs <base-url> <credential-file>
//
// Like any verifier, it learns the issuer from the credential, fetches the issuer's SD-JWT VC
// metadata (its JWK Set) from <base-url>/.well-known/jwt-vc-issuer/<issuer path> and the
// status list token from the credential's status URI (on <base-url>), then lets the library
// verify the signature, every disclosure, the expiry and the revocation status.
// Prints a JSON line; exits 0 when verified, 1 when not, 2 on bad usage.

import { readFileSync } from 'node:fs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';

const [base, file] = process.argv.slice(2);
if (!base || !file) {
  console.error('usage: node verify.mjs <base-url> <credential-file>');
  process.exit(2);
}

const fail = (check, error) => {
  console.log(JSON.stringify({ verified: false, check, error: String(error?.message ?? error) }));
  process.exit(1);
};

const credential = readFileSync(file, 'utf8').trim();
let iss;
try {
  // Unverified, only to know where to look; the library verifies it below.
  const payload = JSON.parse(Buffer.from(credential.split('~')[0].split('.')[1], 'base64url').toString('utf8'));
  iss = payload.iss;
} catch (e) {
  fail('format', e);
}

// On <base-url>, the path of a URL the credential names.
const onBase = (url) => new URL(new URL(url).pathname, base);

let keys;
try {
  const res = await fetch(new URL(`/.well-known/jwt-vc-issuer${new URL(iss).pathname}`, base));
  if (!res.ok) throw new Error(`issuer metadata: HTTP ${res.status}`);
  const metadata = await res.json();
  if (metadata.issuer !== iss) throw new Error(`metadata names issuer ${metadata.issuer}, not ${iss}`);
  keys = metadata.jwks.keys;
} catch (e) {
  fail('issuer metadata', e);
}

// Picks the published key the JWS header names; only ES256.
const verifier = async (data, signature) => {
  const header = JSON.parse(Buffer.from(data.split('.')[0], 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') return false;
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const { kty, crv, x, y } = jwk;
  const verify = await ES256.getVerifier({ kty, crv, x, y });
  return verify(data, signature);
};

const sdjwt = new SDJwtVcInstance({
  hasher: digest,
  verifier,
  statusListFetcher: async (uri) => {
    const res = await fetch(onBase(uri), { headers: { Accept: 'application/statuslist+jwt' } });
    if (!res.ok) throw new Error(`status list: HTTP ${res.status}`);
    if (!res.headers.get('content-type')?.includes('application/statuslist+jwt')) {
      throw new Error('status list: wrong content type');
    }
    return res.text();
  },
});

try {
  const result = await sdjwt.verify(credential);
  const { iss: issuer, exp, status, ...rest } = result.payload;
  const claims = Object.fromEntries(Object.entries(rest).filter(([k]) => !['_sd', '_sd_alg', 'cnf', 'vct', 'iat'].includes(k)));
  console.log(JSON.stringify({ verified: true, issuer, exp, status, claims }));
} catch (e) {
  fail('credential', e);
}
