//! Pages as a browser fetches them, and what a test reads from them.

use super::TestApp;
use reqwest::{StatusCode, header};
use scraper::{Html, Selector};

/// A fetched HTML page.
pub struct Page {
    pub status: StatusCode,
    pub html: Html,
    pub text: String,
}

impl Page {
    /// The trimmed text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).expect("a valid selector");
        self.html
            .select(&sel)
            .map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The value of attribute `attr` on the first element matching `css`.
    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(css).expect("a valid selector");
        self.html.select(&sel).next().and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn has(&self, css: &str) -> bool {
        !self.texts(css).is_empty()
    }
}

impl TestApp {
    /// Opens a page as a browser does.
    pub async fn visit(&self, path: &str) -> Page {
        let res = self.client.get(self.url(path)).header(header::ACCEPT, "text/html").send().await.expect("GET");
        let status = res.status();
        let text = res.text().await.expect("a body");
        Page { status, html: Html::parse_document(&text), text }
    }

    /// Opens a page as the browser `client` does.
    pub(crate) async fn visit_as(&self, client: &reqwest::Client, path: &str) -> Page {
        let res = client.get(self.url(path)).header(header::ACCEPT, "text/html").send().await.expect("GET");
        let status = res.status();
        let text = res.text().await.expect("a body");
        Page { status, html: Html::parse_document(&text), text }
    }
}
