//! Fuzz the untrusted-input entry points: `cargo +nightly fuzz run verify` from `credential/`.
//!
//! The input bytes are used as a (lossily decoded) UTF-8 string and fed to the credential
//! verifier (with and without key binding / status requirements), the status list token
//! verifier, the holder-side `present`, and the disclosure and `lst` parsers. Any panic is a
//! bug. Keys are fixed per process so signatures are reachable only by mutation of a seed
//! corpus (add real credentials to `fuzz/corpus/verify/` to get past the signature check).

#![no_main]

use std::sync::OnceLock;

use credential::*;
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_750_000_000;

fn keys() -> &'static JwkSet {
    static KEYS: OnceLock<JwkSet> = OnceLock::new();
    KEYS.get_or_init(|| {
        IssuerKey::generate()
            .map(|k| [k.verifying_key()].into_iter().collect())
            .unwrap_or_default()
    })
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let keys = keys();

    let _ = verify(&input, keys, &VerifyOptions::new(NOW));

    let list = StatusList::new(1024).ok();
    let mut strict = VerifyOptions::new(NOW);
    strict.key_binding = Some(KeyBindingCheck {
        aud: "https://verifier.example",
        nonce: "n",
        max_age_secs: 300,
    });
    if let Some(list) = &list {
        strict.status = Some(StatusCheck {
            uri: "https://issuer.example/status/1",
            list,
        });
    }
    let _ = verify(&input, keys, &strict);

    let _ = verify_status_list_token(
        &input,
        keys,
        "https://issuer.example/status/1",
        &StatusListVerifyOptions::new(NOW),
    );
    let _ = present(&input, &["given_name"], None);
    let _ = Disclosure::parse(&input);
    let _ = StatusList::from_lst(&input, 1 << 20);
});
