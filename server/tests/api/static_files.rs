//! The browser bundle as it is served (issue 19): the page names the bundle's files by the hashes
//! the build wrote, those files are sent precompressed and kept by the browser for a year, the
//! site's other static files are revalidated, and nothing that failed is cached.
//!
//! These read the site the test command builds (`cargo leptos build --release --split
//! --precompress` into target/site) and compare what the server sends with the files on disk.

use crate::helpers::spawn_app;
use reqwest::{StatusCode, header};
use std::path::PathBuf;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!("{}: {e}; build the bundle first (cargo leptos build --release --split --precompress)", path.display())
    })
}

fn header_of(res: &reqwest::Response, name: header::HeaderName) -> String {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The hashes the build wrote, by kind (`js`, `wasm`, `css`, `manifest`, `split`).
fn hashes() -> Vec<(String, String)> {
    String::from_utf8(read(&site().join("hash.txt")))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_page_names_the_bundle_by_hash_and_each_file_is_kept_a_year_and_sent_precompressed() {
    let hashes = hashes();
    let app = spawn_app().await;
    let page = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/pkg/pp.js") && !page.contains("/pkg/pp.css"), "plain names in the page");

    let mut files: Vec<String> = ["js", "wasm", "css"]
        .iter()
        .map(|kind| {
            let hash = &hashes.iter().find(|(k, _)| k == kind).unwrap_or_else(|| panic!("no {kind} in hash.txt")).1;
            let path = format!("/pkg/pp.{hash}.{kind}");
            assert!(page.contains(&path), "the page does not name {path}");
            path
        })
        .collect();
    // One of the islands' lazy chunks, by the name the (hashed) split manifest gives it.
    let manifest_hash = &hashes.iter().find(|(k, _)| k == "manifest").expect("no manifest in hash.txt").1;
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&site().join(format!("pkg/__wasm_split_manifest.{manifest_hash}.json")))).unwrap();
    let chunk = manifest.as_object().unwrap().values().find_map(|c| c[0].as_str()).expect("a chunk");
    files.push(format!("/pkg/{chunk}.wasm"));

    for path in &files {
        let on_disk = site().join(path.trim_start_matches('/'));
        for (accept, encoding, suffix) in
            [(None, "", ""), (Some("gzip"), "gzip", ".gz"), (Some("br, gzip"), "br", ".br")]
        {
            let mut req = app.client.get(app.url(path));
            if let Some(accept) = accept {
                req = req.header(header::ACCEPT_ENCODING, accept);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path} ({accept:?})");
            assert_eq!(header_of(&res, header::CACHE_CONTROL), IMMUTABLE, "{path} ({accept:?})");
            assert_eq!(header_of(&res, header::CONTENT_ENCODING), encoding, "{path} ({accept:?})");
            assert_eq!(header_of(&res, header::VARY), "accept-encoding", "{path} ({accept:?})");
            let mut expected = on_disk.clone().into_os_string();
            expected.push(suffix);
            let body = res.bytes().await.unwrap();
            assert!(body == read(&PathBuf::from(expected)), "{path} ({accept:?}): not the file built for it");
        }
    }
}

#[tokio::test]
async fn files_that_keep_their_names_are_revalidated_and_a_missing_file_is_not_cached() {
    let app = spawn_app().await;
    for path in ["/js/enhance.js", "/nhsuk/nhsuk-frontend.min.css"] {
        let res = app.client.get(app.url(path)).header(header::ACCEPT_ENCODING, "br").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&res, header::CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(header_of(&res, header::CONTENT_ENCODING), "br", "{path}: the build's brotli copy");
        // Asked again with the date it was given: unchanged, so nothing is sent.
        let modified = header_of(&res, header::LAST_MODIFIED);
        assert!(!modified.is_empty(), "{path}: no Last-Modified");
        let again = app.client.get(app.url(path)).header(header::IF_MODIFIED_SINCE, &modified).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header_of(&again, header::CACHE_CONTROL), "no-cache", "{path}");
    }
    for path in ["/pkg/pp.AAAAAAAAAAAAAAAAAAAAAA.js", "/pkg/", "/js/nothing.js"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!header_of(&res, header::CACHE_CONTROL).contains("max-age"), "{path} is cached");
    }
}
