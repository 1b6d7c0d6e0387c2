//! The passport's plain HTTP surface. Public, for any verifier: each trust's SD-JWT VC issuer
//! metadata (its published keys) and its status lists as signed status list tokens. Private:
//! the signed-in holder's download of their own passport.

use app::AppError;
use app::server::services::{issuer, passports};
use app::server::{AppState, RequestContext};
use axum::{
    Router,
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderValue, Response, StatusCode, header},
    routing::get,
};

/// The routes, to merge into the app's router (they carry their own state).
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route("/.well-known/jwt-vc-issuer/trusts/{ods}", get(issuer_metadata))
        .route("/trusts/{ods}/status-lists/{n}", get(status_list))
        .route("/passport/download", get(download))
        .route("/passport/download.json", get(download_json))
        .with_state(state)
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// Public data any verifier (a browser page elsewhere too) may fetch, cached briefly.
fn public(mut res: Response<Body>) -> Response<Body> {
    let h = res.headers_mut();
    let max_age = format!("public, max-age={}", issuer::STATUS_LIST_TTL_SECS);
    if let Ok(v) = HeaderValue::from_str(&max_age) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res
}

fn error(err: AppError) -> Response<Body> {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, "application/json", serde_json::to_string(&err).unwrap_or_default())
}

/// `GET /.well-known/jwt-vc-issuer/trusts/{ods}`: `{"issuer", "jwks": {"keys": [...]}}`.
async fn issuer_metadata(State(state): State<AppState>, Path(ods): Path<String>) -> Response<Body> {
    match issuer::issuer_metadata(&state, &ods).await {
        Ok(doc) => public(respond(StatusCode::OK, "application/json", doc.to_string())),
        Err(e) => error(e),
    }
}

/// `GET /trusts/{ods}/status-lists/{n}`: the list as a status list token.
async fn status_list(State(state): State<AppState>, Path((ods, n)): Path<(String, String)>) -> Response<Body> {
    let Ok(n) = n.parse::<i32>() else {
        return error(AppError::NotFound);
    };
    match issuer::status_list_token(&state, &ods, n).await {
        Ok(token) => public(respond(StatusCode::OK, "application/statuslist+jwt", token)),
        Err(e) => error(e),
    }
}

fn context(req: &Request) -> RequestContext {
    req.extensions().get::<RequestContext>().cloned().unwrap_or_default()
}

fn private(mut res: Response<Body>, filename: &'static str) -> Response<Body> {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// `GET /passport/download`: the signed-in holder's passport as an SD-JWT VC file
/// (`application/dc+sd-jwt`), for any standard verifier or `server verify`.
async fn download(State(state): State<AppState>, req: Request) -> Response<Body> {
    match passports::download(&state, &context(&req)).await {
        Ok(credential) => private(respond(StatusCode::OK, "application/dc+sd-jwt", credential), "passport.sd-jwt"),
        Err(e) => error(e),
    }
}

/// `GET /passport/download.json`: the same, wrapped as `{"format": "dc+sd-jwt", "credential"}`.
async fn download_json(State(state): State<AppState>, req: Request) -> Response<Body> {
    match passports::download(&state, &context(&req)).await {
        Ok(credential) => {
            let body = serde_json::json!({ "format": "dc+sd-jwt", "credential": credential }).to_string();
            private(respond(StatusCode::OK, "application/json", body), "passport.json")
        }
        Err(e) => error(e),
    }
}
