//! Response hardening shared by every route.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Response, StatusCode, header},
    middleware::Next,
};

/// Headers every response carries. (The Content-Security-Policy with a per-request nonce comes
/// with sign-in, where it matters most.)
pub async fn headers(req: Request, next: Next) -> Response<Body> {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
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
