// An independent check of a Placement Passport, with the OpenWallet Foundation's SD-JWT VC
// implementation (@sd-jwt/sd-jwt-vc), which the app's own code shares nothing with.
//
//   node verify.mjs <base-url> <credential-file>
//
// Like any verifier, it learns the issuer from the credential, fetches the issuer's SD-JWT VC
// metadata (its JWK Set) from <base-url>/.well-known/jwt-vc-issuer/<issuer path> and the
// status list token from the credential's status URI (on <base-url>), then lets the library
// verify the signature, every disclosure, the expiry and the revocation status.
// Prints a JSON line naming the check that failed (format, issuer metadata, disclosures,
// signature, status, credential); exits 0 when verified, 1 when not, 2 on bad usage.
//
// One check is this script's own: @sd-jwt/sd-jwt-vc 0.19 silently drops a disclosure that no
// signed digest refers to, where RFC 9901 §7.1 says the whole SD-JWT must be rejected; so every
// disclosure's digest is looked up in the signed `_sd` before the library runs.

import { createHash } from 'node:crypto';
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

// Every disclosure must match a digest the issuer signed (RFC 9901 §7.1), checked here because
// the library skips the ones that do not.
{
  const [jwt, ...rest] = credential.split('~');
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
  const signed = new Set(Array.isArray(payload._sd) ? payload._sd : []);
  const disclosures = rest.slice(0, -1).filter((d) => d.length > 0);
  for (const [i, d] of disclosures.entries()) {
    const digest = createHash('sha256').update(d, 'ascii').digest('base64url');
    if (!signed.has(digest)) fail('disclosures', `disclosure ${i} matches no digest the issuer signed`);
  }
}

// Why the signature check failed, if it did: the library reports only that it did.
let signatureProblem = null;

// Picks the published key the JWS header names; only ES256.
const verifier = async (data, signature) => {
  const header = JSON.parse(Buffer.from(data.split('.')[0], 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') {
    signatureProblem = `alg ${header.alg} is not ES256`;
    return false;
  }
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) {
    signatureProblem = `no published key has kid ${header.kid}`;
    return false;
  }
  const { kty, crv, x, y } = jwk;
  const verify = await ES256.getVerifier({ kty, crv, x, y });
  const ok = await verify(data, signature);
  if (!ok) signatureProblem = 'the signature does not match the published key';
  return ok;
};

// A status other than 0 (valid) is a revocation; the library calls this with the entry's value.
let statusProblem = null;

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
  statusValidator: async (status) => {
    if (status !== 0) {
      statusProblem = `revoked: the status list entry is ${status}`;
      throw new Error(statusProblem);
    }
  },
});

try {
  const result = await sdjwt.verify(credential);
  const { iss: issuer, exp, status, ...rest } = result.payload;
  const claims = Object.fromEntries(Object.entries(rest).filter(([k]) => !['_sd', '_sd_alg', 'cnf', 'vct', 'iat'].includes(k)));
  console.log(JSON.stringify({ verified: true, issuer, exp, status, claims }));
} catch (e) {
  if (signatureProblem) fail('signature', signatureProblem);
  if (statusProblem) fail('status', statusProblem);
  fail('credential', e);
}
