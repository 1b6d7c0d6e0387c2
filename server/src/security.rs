//! Response hardening shared by every route.

use crate::client_addr::TrustedProxies;
use app::server::services::sessions;
use app::server::{AppState, RequestContext};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header},
    middleware::Next,
};
use std::net::SocketAddr;
use std::sync::Arc;

/// The policy for responses that are not app pages (pages set their own, with a nonce): no
/// inline script at all.
const FALLBACK_CSP: &str = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
                            form-action 'self'; object-src 'none'";

/// Headers every response carries; HSTS too when the service is served over HTTPS.
pub async fn headers(State(https): State<bool>, req: Request, next: Next) -> Response<Body> {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FALLBACK_CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Gives server-function errors their proper status. Errors raised by our own code already
/// carry it (see `app::server::respond`), but server_fn answers failures it detects itself —
/// arguments that do not decode, a missing field — with 500. The body is always a serialized
/// `AppError`, so the status is read from it: a bad request is a 400, never a 500.
pub async fn server_fn_status(req: Request, next: Next) -> Response<Body> {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        // Unreadable or oversized: still answer with an error the client can decode.
        let internal = serde_json::to_vec(&app::AppError::Internal).unwrap_or_default();
        return Response::from_parts(parts, Body::from(internal));
    };
    if let Ok(err) = serde_json::from_slice::<app::AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What a panic in a handler turns into: the NHS "problem with the service" page, never a bare
/// 500 or a dropped connection. The panic itself is logged by the tracing layer.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "request handler panicked");
    let body = concat!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<title>Sorry, there is a problem with the service – Placement Passport – NHS</title>",
        "<link rel=\"stylesheet\" href=\"/nhsuk/nhsuk-frontend.min.css\"></head><body>",
        "<div class=\"nhsuk-width-container\"><main class=\"nhsuk-main-wrapper\" id=\"maincontent\">",
        "<h1 class=\"nhsuk-heading-l\">Sorry, there is a problem with the service</h1>",
        "<p>Try again later.</p><p><a href=\"/\">Go to the Placement Passport homepage</a></p>",
        "</main></div></body></html>"
    );
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res
}

/// The largest request body a form may send: the longest form (a placement, with 6,000
/// characters of free text) percent-encoded at its worst is under half of it.
pub const FORM_BODY_LIMIT: usize = 128 * 1024;

/// Bodies up to this size that are over their route's limit are read and thrown away before the
/// refusal is sent (see [`body_limit`]).
const DISCARD_LIMIT: u64 = 2 * 1024 * 1024;

/// The largest body a route takes: the photo upload its own (its handler reads no further than
/// the largest photo and answers beside the field), every other route a form's. A body that says it is larger is refused before it is
/// read; one that does not say (chunked) is cut off where it passes the limit, and the handler
/// reading it fails as it would on any unreadable body.
fn body_limit_for(path: &str) -> usize {
    if path.starts_with("/people/") && path.ends_with("/passport/photo") {
        // Twice the largest photo: the handler reads no further than the photo's own limit and
        // says so beside the field, so only a body far past it is refused here.
        2 * app::server::photo::MAX_PHOTO_BYTES + 16 * 1024
    } else {
        FORM_BODY_LIMIT
    }
}

/// Bounds every request body by its route (see [`body_limit_for`]): an anonymous script can no
/// longer post megabytes to a form for the server to read, parse and keep.
pub async fn body_limit(req: Request, next: Next) -> Response<Body> {
    let limit = body_limit_for(req.uri().path());
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tracing::warn!(path = %req.uri().path(), declared, limit, "refused a request body over its route's limit");
        // A form posted without JavaScript asks for a page; a script, for the error as JSON.
        let wants_page =
            req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
        // Read and discard a body not far past the limit (never keeping it), so the browser,
        // which sends the whole body before it reads the answer, gets the page instead of a
        // closed connection. A larger one is not read at all: the connection closes.
        if declared.is_some_and(|n| n <= DISCARD_LIMIT) {
            let mut body = req.into_body();
            let discard = async { while let Some(Ok(_)) = http_body_util::BodyExt::frame(&mut body).await {} };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), discard).await;
        }
        return too_large(!wants_page);
    }
    let (parts, body) = req.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

fn too_large(json: bool) -> Response<Body> {
    let message = app::AppError::TooLarge.to_string();
    let (content_type, body) = if json {
        ("application/json", serde_json::to_string(&app::AppError::TooLarge).unwrap_or_default())
    } else {
        (
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too large – Placement Passport – NHS</title></head>\
                 <body><h1>{message}</h1><p>Go back to the form and shorten what you typed.</p></body></html>"
            ),
        )
    };
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// Paths that never need to know who is asking (static files and the health check).
fn is_static(path: &str) -> bool {
    ["/pkg/", "/nhsuk/", "/js/", "/favicon"].iter().any(|p| path.starts_with(p)) || path == "/health"
}

/// Resolves who is asking, once per request: the client's address and, from the session
/// cookie, the signed-in person. Everything downstream (server functions, pages) reads the
/// [`RequestContext`] this puts in the request's extensions; nothing else reads the cookie.
pub async fn session(
    State((state, proxies)): State<(AppState, Arc<TrustedProxies>)>,
    mut req: Request,
    next: Next,
) -> Response<Body> {
    if is_static(req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let ip = client_ip(&proxies, headers, req.extensions().get::<ConnectInfo<SocketAddr>>());
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(200).collect());
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| sessions::token_from_cookie_header(c).map(str::to_owned));
    let actor = match &token {
        Some(token) => match sessions::resolve(&state.db, &state.auth, token, &ip).await {
            Ok(Some(live)) => {
                if live.touch_due {
                    record_use(&state, live.actor.session_id.clone());
                }
                Some(live.actor)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "resolving the session");
                None
            }
        },
        None => None,
    };
    let stale_cookie = token.is_some() && actor.is_none();
    let signed_in = actor.is_some();
    req.extensions_mut().insert(RequestContext { ip, user_agent, actor });
    let mut res = next.run(req).await;
    // Nothing answered to a signed-in person, or that signs someone in or out, is kept by the
    // browser or any cache: the back button on a shared ward PC must not bring back someone's
    // passport after they sign out. Other dynamic answers are not kept either unless their
    // handler says otherwise (the issuer's public keys and status lists do).
    if signed_in || res.headers().contains_key(header::SET_COOKIE) || !res.headers().contains_key(header::CACHE_CONTROL)
    {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A cookie naming an ended session is removed, unless this response sets a new one.
    if stale_cookie
        && !res.headers().contains_key(header::SET_COOKIE)
        && let Ok(v) = HeaderValue::from_str(&sessions::clear_cookie(state.is_https()))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Records a session's use (at most once a minute a session) beside the request, not in its
/// way: it is a write, so on SQLite it waits for its turn, and under a stream of decisions a
/// page read must not wait behind them for it.
fn record_use(state: &AppState, session_id: String) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = state.write(async |txn| Ok(sessions::touch(txn, &session_id).await?)).await {
            tracing::warn!(error = %e, "recording a session's use");
        }
    });
}

/// The client's address (see [`TrustedProxies`]); "unknown" only where there is no connection
/// at all (a request built in a test).
fn client_ip(proxies: &TrustedProxies, headers: &HeaderMap, peer: Option<&ConnectInfo<SocketAddr>>) -> String {
    let Some(peer) = peer else { return "unknown".to_owned() };
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    proxies.client(peer.0.ip().to_canonical(), forwarded).to_string()
}

/// Refuses cross-site writes (CSRF). A state-changing request must come from this site: the
/// browser's `Sec-Fetch-Site` says so, or, from a browser too old to send it, the `Origin`
/// matches the host. A request with neither is refused too: every browser that can run the
/// app sends one of them on a POST, and SameSite=Lax cookies are the second line.
pub async fn same_origin_writes(req: Request, next: Next) -> Response<Body> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let allowed = match h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some(origin), Some(host)) => origin_is_host(origin, host),
            _ => false,
        },
    };
    if allowed {
        return next.run(req).await;
    }
    tracing::warn!(
        path = %req.uri().path(),
        origin = ?h.get(header::ORIGIN),
        sec_fetch_site = ?h.get("sec-fetch-site"),
        "refused a cross-site or unattributed write"
    );
    forbidden(req.uri().path().starts_with("/api/"))
}

/// `Origin` is `scheme://host[:port]`; it names this site when its authority is the `Host`.
fn origin_is_host(origin: &str, host: &str) -> bool {
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

fn forbidden(api: bool) -> Response<Body> {
    let (content_type, body) = if api {
        ("application/json", serde_json::to_string(&app::AppError::Forbidden).unwrap_or_default())
    } else {
        (
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused – Placement Passport – NHS</title></head>\
             <body><h1>This request was refused</h1><p>It did not come from a Placement Passport page. \
             <a href=\"/\">Go to the homepage</a> and try again.</p></body></html>"
                .to_owned(),
        )
    };
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::FORBIDDEN;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_names_this_site_only_when_its_authority_is_the_host() {
        assert!(origin_is_host("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(origin_is_host("https://pp.nhs.uk", "pp.nhs.uk"));
        assert!(!origin_is_host("https://evil.example", "pp.nhs.uk"));
        assert!(!origin_is_host("null", "pp.nhs.uk"));
        assert!(!origin_is_host("https://pp.nhs.uk.evil.example", "pp.nhs.uk"));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy_and_only_from_the_right() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.7"));
        let peer = ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 4000)));
        assert_eq!(client_ip(&TrustedProxies::default(), &h, Some(&peer)), "10.0.0.1");
        assert_eq!(client_ip(&TrustedProxies::Hops(1), &h, Some(&peer)), "198.51.100.7");
        // A second header line counts as the list's continuation, as proxies may send it so.
        h.append("x-forwarded-for", HeaderValue::from_static("192.0.2.44"));
        assert_eq!(client_ip(&TrustedProxies::Hops(1), &h, Some(&peer)), "192.0.2.44");
    }
}
