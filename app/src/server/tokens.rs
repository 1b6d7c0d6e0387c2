//! Random secrets for cookies and emailed links. The database keeps only their SHA-256, so a
//! copy of it cannot be used to sign in or to reset a password.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token (256 bits, hex) and the id it is stored under.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let id = token_id(&token);
    (token, id)
}

/// The stored id of `token`.
pub fn token_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `raw` looks like one of our tokens (64 hex digits), checked before any lookup.
pub fn is_well_formed(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value of cookie `name` in a `Cookie` header, if it holds a well-formed token.
pub fn cookie_token<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| is_well_formed(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_their_digest() {
        let (a, id_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(is_well_formed(&a));
        assert_eq!(id_a, token_id(&a));
        assert_ne!(id_a, a);
        assert!(!is_well_formed("zz"));
    }
}
