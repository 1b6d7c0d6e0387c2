//! The browser bundle and the site's other static files, served from the built site root.
//!
//! The release build (`cargo leptos build --release --split --precompress`, with `hash-files` in
//! the workspace's Leptos metadata) names the bundle's wasm, JavaScript and CSS by the hash of
//! their content and writes the hashes to `hash.txt` in the site root. A file under `/pkg/` with
//! a hashed name never changes, so it is served `Cache-Control: public, max-age=31536000,
//! immutable`: a browser that has it never asks again, and the next release has new names.
//! Everything else static (the NHS.UK frontend, `js/enhance.js`, the favicon, and `/pkg/` when the
//! site was built without hashing) keeps its name across releases, so a browser revalidates it
//! (`no-cache`) and gets a 304 while it is unchanged.
//!
//! The build also writes a gzip and a brotli copy of every file beside it (`--precompress`); they
//! are sent to browsers that accept them, so the server never compresses the same bytes twice.
//! HTML is dynamic and never comes from here (see `security::session` for its caching).

use axum::Router;
use axum::http::{HeaderValue, Response, StatusCode, header};
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, fs::ServeFileSystemResponseBody as Body};
use tower_http::set_header::{MakeHeaderValue, SetResponseHeader};

/// For files whose name changes whenever their content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For files that keep their name across releases: cached, but asked about before each use.
pub const REVALIDATE: &str = "no-cache";

/// How the built site is laid out: where it is, and whether its bundle has hashed names.
#[derive(Clone, Debug)]
pub struct Site {
    pub root: PathBuf,
    /// `hash.txt`, absolute (Leptos resolves a relative one against the executable's folder).
    pub hash_file: PathBuf,
    /// True when the site was built with hashed names, that is when `hash.txt` is there.
    pub hashed: bool,
}

impl Site {
    pub fn new(root: &Path) -> Self {
        let hash_file = std::path::absolute(root.join("hash.txt")).unwrap_or_else(|_| root.join("hash.txt"));
        let hashed = hash_file.is_file();
        if !hashed {
            tracing::info!(
                site_root = %root.display(),
                "the site has no hash.txt: the bundle's files are served under their plain names and revalidated"
            );
        }
        Self { root: root.to_owned(), hash_file, hashed }
    }

    /// Adds the site's static folders to `router`, each with the cache policy its names allow.
    /// Anything else under the site root (the favicon) is left to Leptos's file handler.
    pub fn serve<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        let bundle = if self.hashed { IMMUTABLE } else { REVALIDATE };
        router
            // wasm-bindgen's snippets keep their names when the rest of the bundle is hashed.
            .nest_service("/pkg/snippets", self.folder("pkg/snippets", REVALIDATE))
            .nest_service("/pkg", self.folder("pkg", bundle))
            .nest_service("/nhsuk", self.folder("nhsuk", REVALIDATE))
            .nest_service("/js", self.folder("js", REVALIDATE))
    }

    fn folder(
        &self,
        folder: &str,
        policy: &'static str,
    ) -> SetResponseHeader<ServeDir, impl MakeHeaderValue<Response<Body>> + Clone + use<>> {
        let dir = ServeDir::new(self.root.join(folder)).precompressed_br().precompressed_gzip();
        SetResponseHeader::overriding(dir, header::CACHE_CONTROL, cache_control(policy))
    }
}

/// The policy on a file that was found (or found unchanged); an error is never cached.
fn cache_control(
    policy: &'static str,
) -> impl Fn(&Response<Body>) -> Option<HeaderValue> + Clone + Send + Sync + 'static {
    move |res: &Response<Body>| {
        (res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED)
            .then(|| HeaderValue::from_static(policy))
    }
}
