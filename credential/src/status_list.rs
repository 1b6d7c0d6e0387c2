//! Token Status Lists (draft-ietf-oauth-status-list), one bit per credential.
//!
//! A status list is a bit array; a credential's `status.status_list.idx` points at its bit
//! (0 = valid, 1 = revoked). Index `i` lives in byte `i / 8` at bit `i % 8`, counting from the
//! least significant bit. The list is published as `lst` = base64url(zlib(bytes)) inside an
//! ES256-signed JWT with `typ: statuslist+jwt`.
//!
//! Privacy: the list is public, so indexes are handed out at random from the unused ones in a
//! large fixed-size list ([`IndexAllocator`], [`DEFAULT_LIST_SIZE`] entries = 16 KiB), never
//! sequentially; a position then says nothing about who holds it or when it was issued.

use std::fmt;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};

use crate::error::{Error, VerifyError};
use crate::jose::{self, JwsFailure, KeySource, b64url_decode, b64url_encode};
use crate::keys::{AsDyn, KeyResolver, Signer};
use crate::verifier::{StatusCheck, int_claim};

/// `typ` of a status list token.
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";
/// Default list size: 131072 entries, 16 KiB before compression.
pub const DEFAULT_LIST_SIZE: usize = 131_072;
/// Default maximum number of entries accepted when decoding a list (1 MiB decompressed), a
/// bound against decompression bombs.
pub const DEFAULT_MAX_ENTRIES: usize = 8 * 1024 * 1024;
/// Default maximum accepted status list token length: 1 MiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 1024 * 1024;

/// A one-bit-per-entry status list.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all valid (0). `len` must be a positive multiple of 8, since
    /// the published form only carries whole bytes.
    pub fn new(len: usize) -> Result<Self, Error> {
        if len == 0 || !len.is_multiple_of(8) {
            return Err(Error::InvalidListSize(len));
        }
        Ok(Self { bytes: vec![0; len / 8] })
    }

    /// A list over an existing byte array (index 0 = least significant bit of byte 0).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.is_empty() {
            return Err(Error::InvalidListSize(0));
        }
        Ok(Self { bytes })
    }

    /// The raw byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Always false: lists have at least 8 entries. (Present for API symmetry with `len`.)
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn locate(&self, index: u64) -> Result<(usize, u8), Error> {
        let out_of_range = || Error::IndexOutOfRange { index, len: self.len() };
        let i = usize::try_from(index).map_err(|_| out_of_range())?;
        if i / 8 >= self.bytes.len() {
            return Err(out_of_range());
        }
        Ok((i / 8, 1u8 << (i % 8)))
    }

    /// Whether the entry at `index` is set (revoked).
    pub fn is_set(&self, index: u64) -> Result<bool, Error> {
        let (byte, mask) = self.locate(index)?;
        Ok(self.bytes.get(byte).is_some_and(|b| b & mask != 0))
    }

    /// Sets (revoked = true) or clears the entry at `index`.
    pub fn set(&mut self, index: u64, revoked: bool) -> Result<(), Error> {
        let (byte, mask) = self.locate(index)?;
        if let Some(b) = self.bytes.get_mut(byte) {
            if revoked {
                *b |= mask;
            } else {
                *b &= !mask;
            }
        }
        Ok(())
    }

    /// Number of set (revoked) entries.
    pub fn count_set(&self) -> usize {
        self.bytes.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The `lst` value: base64url(zlib(bytes)) at the highest compression level.
    pub fn to_lst(&self) -> Result<String, Error> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&self.bytes).map_err(|_| Error::Compression)?;
        let compressed = encoder.finish().map_err(|_| Error::Compression)?;
        Ok(b64url_encode(compressed))
    }

    /// Decodes an `lst` value, refusing lists of more than `max_entries` entries (so a small
    /// compressed input cannot expand into an arbitrarily large allocation).
    pub fn from_lst(lst: &str, max_entries: usize) -> Result<Self, VerifyError> {
        let compressed = b64url_decode(lst).ok_or(VerifyError::InvalidStatusList("lst is not base64url"))?;
        let max_bytes = max_entries / 8;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| VerifyError::InvalidStatusList("lst is not zlib data"))?;
        if bytes.len() > max_bytes {
            return Err(VerifyError::InvalidStatusList("list too large"));
        }
        if bytes.is_empty() {
            return Err(VerifyError::InvalidStatusList("empty list"));
        }
        Ok(Self { bytes })
    }

    /// Signs the list as a status list token (JWT, `typ: statuslist+jwt`) with payload
    /// `{"sub", "iat", "exp", "ttl", "status_list": {"bits": 1, "lst"}}`.
    pub fn sign_token<S: Signer + ?Sized>(
        &self,
        signer: &S,
        request: &StatusListTokenRequest<'_>,
    ) -> Result<String, Error> {
        if request.exp <= request.iat {
            return Err(Error::InvalidRequest("exp must be after iat"));
        }
        if request.uri.is_empty() {
            return Err(Error::InvalidRequest("uri must be non-empty"));
        }
        let mut header = Map::new();
        header.insert("typ".into(), STATUS_LIST_TYP.into());
        header.insert("kid".into(), signer.kid().into());
        let mut payload = Map::new();
        payload.insert("sub".into(), request.uri.into());
        payload.insert("iat".into(), request.iat.into());
        payload.insert("exp".into(), request.exp.into());
        if let Some(ttl) = request.ttl {
            payload.insert("ttl".into(), ttl.into());
        }
        payload.insert("status_list".into(), json!({ "bits": 1, "lst": self.to_lst()? }));
        jose::sign_compact(&header, &payload, signer)
    }
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusList").field("len", &self.len()).field("set", &self.count_set()).finish()
    }
}

/// Parameters of a status list token.
#[derive(Clone, Copy, Debug)]
pub struct StatusListTokenRequest<'a> {
    /// The URI the token is served at; becomes `sub`, and credentials point at it.
    pub uri: &'a str,
    /// `iat`, unix seconds.
    pub iat: i64,
    /// `exp`, unix seconds.
    pub exp: i64,
    /// `ttl`: how long (seconds) verifiers may cache the token before re-fetching.
    pub ttl: Option<u64>,
}

/// Status list token verification policy.
#[derive(Clone, Copy, Debug)]
pub struct StatusListVerifyOptions {
    /// Current time, unix seconds.
    pub now: i64,
    /// Clock leeway for `exp`/`iat`, seconds.
    pub leeway_secs: i64,
    /// Tokens longer than this are rejected before parsing.
    pub max_len: usize,
    /// Lists with more entries than this are rejected (decompression bomb guard).
    pub max_entries: usize,
}

impl StatusListVerifyOptions {
    /// Defaults: 60 s leeway, 1 MiB token limit, 8 Mi entries.
    pub fn new(now: i64) -> Self {
        Self {
            now,
            leeway_secs: crate::sdjwt::DEFAULT_LEEWAY_SECS,
            max_len: DEFAULT_MAX_TOKEN_LEN,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }
}

/// A status list token that passed [`verify_status_list_token`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedStatusList {
    /// `sub`: the list's URI.
    pub uri: String,
    /// `kid` of the signing key.
    pub kid: String,
    /// `iat`.
    pub iat: i64,
    /// `exp`.
    pub exp: i64,
    /// `ttl`, if given.
    pub ttl: Option<u64>,
    /// The decoded list.
    pub list: StatusList,
}

impl VerifiedStatusList {
    /// The form [`VerifyOptions::status`](crate::sdjwt::VerifyOptions::status) takes.
    pub fn as_check(&self) -> StatusCheck<'_> {
        StatusCheck { uri: &self.uri, list: &self.list }
    }
}

fn status_jws_error(f: JwsFailure) -> VerifyError {
    match f {
        JwsFailure::Segments => VerifyError::MalformedJwt,
        JwsFailure::Header => VerifyError::InvalidHeader,
        JwsFailure::Alg(a) => VerifyError::UnsupportedAlg(a),
        JwsFailure::Typ(t) => VerifyError::WrongTyp { expected: STATUS_LIST_TYP, found: t },
        JwsFailure::Crit => VerifyError::CriticalHeader,
        JwsFailure::MissingKid => VerifyError::MissingKid,
        JwsFailure::UnknownKid(k) => VerifyError::UnknownKid(k),
        JwsFailure::SignatureEncoding => VerifyError::MalformedSignature,
        JwsFailure::Signature => VerifyError::InvalidSignature,
        JwsFailure::Payload => VerifyError::InvalidPayload,
    }
}

/// Verifies a status list token fetched from `expected_uri` and decodes its list.
///
/// Same JOSE rules as credentials (ES256 only, `typ: statuslist+jwt`, known `kid`, valid
/// signature), then: `sub` equals `expected_uri`; `iat` not in the future; `exp` present and
/// not past; `ttl` (if any) a non-negative integer; `status_list.bits` is 1; `lst` decodes.
pub fn verify_status_list_token<R: KeyResolver + ?Sized>(
    token: &str,
    keys: &R,
    expected_uri: &str,
    opts: &StatusListVerifyOptions,
) -> Result<VerifiedStatusList, VerifyError> {
    if token.len() > opts.max_len {
        return Err(VerifyError::TooLarge { len: token.len(), max: opts.max_len });
    }
    let verified =
        jose::verify_es256(token, STATUS_LIST_TYP, KeySource::Resolver(&AsDyn(keys))).map_err(status_jws_error)?;
    let payload = verified.payload;
    let sub = match payload.get("sub") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(VerifyError::InvalidClaim("sub")),
        None => return Err(VerifyError::MissingClaim("sub")),
    };
    if sub != expected_uri {
        return Err(VerifyError::StatusListSubjectMismatch { found: sub.clone() });
    }
    let now = opts.now;
    let leeway = opts.leeway_secs.max(0);
    let iat = int_claim(&payload, "iat")?;
    let exp = int_claim(&payload, "exp")?;
    if exp <= now.saturating_sub(leeway) {
        return Err(VerifyError::Expired { exp, now });
    }
    if iat > now.saturating_add(leeway) {
        return Err(VerifyError::IssuedInFuture { iat, now });
    }
    let ttl = match payload.get("ttl") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or(VerifyError::InvalidClaim("ttl"))?),
    };
    let status_list = payload.get("status_list").ok_or(VerifyError::MissingClaim("status_list"))?;
    if status_list.get("bits").and_then(Value::as_u64) != Some(1) {
        return Err(VerifyError::InvalidStatusList("bits must be 1"));
    }
    let lst = status_list.get("lst").and_then(Value::as_str).ok_or(VerifyError::InvalidStatusList("no lst"))?;
    let list = StatusList::from_lst(lst, opts.max_entries)?;
    Ok(VerifiedStatusList { uri: sub.clone(), kid: verified.kid.unwrap_or_default(), iat, exp, ttl, list })
}

/// Hands out status list indexes uniformly at random among the unused ones, so that the
/// position of an entry reveals nothing about its holder or issuance order.
///
/// Indexes are never handed out twice: re-using an index would let an old revocation apply to
/// a new credential. Rebuild the allocator from the indexes already recorded (for example in
/// the database) with [`IndexAllocator::with_used`]; when [`Error::StatusListFull`] comes back,
/// start a new list (new URI).
pub struct IndexAllocator {
    used: Vec<u8>,
    used_count: usize,
    rng: SystemRandom,
}

impl IndexAllocator {
    /// An allocator for a list of `len` entries (a positive multiple of 8), none used.
    pub fn new(len: usize) -> Result<Self, Error> {
        if len == 0 || !len.is_multiple_of(8) {
            return Err(Error::InvalidListSize(len));
        }
        Ok(Self { used: vec![0; len / 8], used_count: 0, rng: SystemRandom::new() })
    }

    /// An allocator for a list of `len` entries with `used` already taken.
    pub fn with_used(len: usize, used: impl IntoIterator<Item = u64>) -> Result<Self, Error> {
        let mut allocator = Self::new(len)?;
        for index in used {
            allocator.mark_used(index)?;
        }
        Ok(allocator)
    }

    /// Number of entries in the list.
    pub fn len(&self) -> usize {
        self.used.len() * 8
    }

    /// Always false (lists have at least 8 entries); present for symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    /// Number of indexes still free.
    pub fn available(&self) -> usize {
        self.len() - self.used_count
    }

    /// Whether `index` is taken (out-of-range indexes count as taken).
    pub fn is_used(&self, index: u64) -> bool {
        let Ok(i) = usize::try_from(index) else {
            return true;
        };
        self.used.get(i / 8).is_none_or(|b| b & (1u8 << (i % 8)) != 0)
    }

    /// Records `index` as taken; returns whether it was free before.
    pub fn mark_used(&mut self, index: u64) -> Result<bool, Error> {
        let len = self.len();
        let i = usize::try_from(index).ok().filter(|i| *i < len).ok_or(Error::IndexOutOfRange { index, len })?;
        let Some(byte) = self.used.get_mut(i / 8) else {
            return Err(Error::IndexOutOfRange { index, len });
        };
        let mask = 1u8 << (i % 8);
        if *byte & mask != 0 {
            return Ok(false);
        }
        *byte |= mask;
        self.used_count += 1;
        Ok(true)
    }

    /// Picks a free index uniformly at random and marks it used.
    pub fn allocate(&mut self) -> Result<u64, Error> {
        let free = self.available();
        if free == 0 {
            return Err(Error::StatusListFull);
        }
        // Random probing is fast while the list has room (expected len/free tries) ...
        for _ in 0..64 {
            let candidate = self.random_below(self.len() as u64)?;
            if self.mark_used(candidate)? {
                return Ok(candidate);
            }
        }
        // ... and when it is nearly full, pick the k-th free index for a random k.
        let mut k = self.random_below(free as u64)?;
        for (byte_index, byte) in self.used.iter().enumerate() {
            let zeros = u64::from(byte.count_zeros());
            if k >= zeros {
                k -= zeros;
                continue;
            }
            for bit in 0..8 {
                if byte & (1 << bit) == 0 {
                    if k == 0 {
                        let index = (byte_index * 8 + bit) as u64;
                        self.mark_used(index)?;
                        return Ok(index);
                    }
                    k -= 1;
                }
            }
        }
        Err(Error::StatusListFull)
    }

    /// Uniform random integer in `0..n` (rejection sampling, no modulo bias).
    fn random_below(&self, n: u64) -> Result<u64, Error> {
        if n == 0 {
            return Ok(0);
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let mut buf = [0u8; 8];
            self.rng.fill(&mut buf).map_err(|_| Error::Random)?;
            let r = u64::from_le_bytes(buf);
            if r < zone {
                return Ok(r % n);
            }
        }
    }
}

impl fmt::Debug for IndexAllocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexAllocator").field("len", &self.len()).field("available", &self.available()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_order_is_lsb_first() {
        let mut list = StatusList::new(16).unwrap();
        list.set(0, true).unwrap();
        list.set(9, true).unwrap();
        assert_eq!(list.as_bytes(), &[0b0000_0001, 0b0000_0010]);
        assert!(list.is_set(9).unwrap());
        list.set(9, false).unwrap();
        assert!(!list.is_set(9).unwrap());
        assert!(list.is_set(16).is_err());
        assert!(list.set(u64::MAX, true).is_err());
    }

    #[test]
    fn sizes_must_be_whole_bytes() {
        assert!(StatusList::new(0).is_err());
        assert!(StatusList::new(12).is_err());
        assert_eq!(StatusList::new(DEFAULT_LIST_SIZE).unwrap().as_bytes().len(), 16 * 1024);
    }

    #[test]
    fn decompression_bomb_refused() {
        let big = StatusList::new(8 * 1024 * 1024).unwrap();
        let lst = big.to_lst().unwrap();
        assert!(lst.len() < 20_000, "zeros compress well: {}", lst.len());
        assert_eq!(
            StatusList::from_lst(&lst, 1024 * 1024).unwrap_err(),
            VerifyError::InvalidStatusList("list too large")
        );
        assert_eq!(StatusList::from_lst(&lst, 8 * 1024 * 1024).unwrap(), big);
    }
}
