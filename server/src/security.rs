//! Response hardening shared by every route.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Response, StatusCode, header},
    middleware::Next,
};

/// The policy for responses that are not app pages (pages set their own, with a nonce): no
/// inline script at all.
const FALLBACK_CSP: &str = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
                            form-action 'self'; object-src 'none'";

/// Headers every response carries.
pub async fn headers(req: Request, next: Next) -> Response<Body> {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res
}
