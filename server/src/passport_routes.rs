//! The passport's plain HTTP surface. Public, for any verifier: each trust's SD-JWT VC issuer
//! metadata (its published keys), its status lists as signed status list tokens, and passport
//! photos by the digest a passport discloses. Private: the signed-in holder's download of their
//! own passport, and HR's upload of a photo (a multipart form, so it works without JavaScript).

use app::AppError;
use app::error::FormErrors;
use app::server::photo::MAX_PHOTO_BYTES;
use app::server::services::{issuer, passport_records, passports};
use app::server::{AppState, RequestContext, rate_limit};
use app::views::passports::PASSPORT_PHOTO_FORM;
use axum::{
    Router,
    body::Body,
    extract::{FromRequest, Multipart, Path, Request, State},
    http::{HeaderValue, Response, StatusCode, header},
    routing::{get, post},
};

/// The routes, to merge into the app's router (they carry their own state).
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route("/.well-known/jwt-vc-issuer/trusts/{ods}", get(issuer_metadata))
        .route("/trusts/{ods}/status-lists/{n}", get(status_list))
        .route("/passport/download", get(download))
        .route("/passport/download.json", get(download_json))
        .route("/passport-photos/{digest}", get(photo))
        .route("/people/{id}/passport/photo", post(upload_photo))
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
        Ok(token) => public(respond(StatusCode::OK, "application/statuslist+jwt", token.to_string())),
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

/// The signed-in holder's credential, its download written to their history as it commits.
async fn download_credential(state: &AppState, ctx: &RequestContext) -> Result<String, AppError> {
    app::server::respond::write(state, ctx, async |txn, actor| passports::download(txn, actor, state.kek()?).await)
        .await
}

/// The photo with `digest`, its fetch written to the holder's history as it commits. A verifier
/// need not sign in, so the actor may be no one (and the address is the request's).
async fn fetch_photo(state: &AppState, ctx: &RequestContext, digest: &str) -> Result<(String, Vec<u8>), AppError> {
    state.write(async |txn| passport_records::photo(txn, ctx.actor(), &ctx.ip, digest).await).await
}

/// HR's upload of `holder`'s photo: refused before the upload is read unless they may, then
/// cleaned outside any transaction, then stored in one.
async fn store_photo(state: &AppState, ctx: &RequestContext, holder: i32, req: Request) -> Result<String, AppError> {
    let actor = ctx.signed_in()?;
    passport_records::may_record_photo(&state.db, actor, holder).await?;
    let upload = read_photo(req).await.map_err(|message| {
        let mut errors = FormErrors::default();
        errors.add("photo", message);
        AppError::Validation(errors)
    })?;
    let clean = passport_records::clean_photo(upload).await?;
    app::server::respond::write(state, ctx, async |txn, actor| {
        passport_records::record_photo(txn, actor, holder, clean).await
    })
    .await
}

/// `GET /passport/download`: the signed-in holder's passport as an SD-JWT VC file
/// (`application/dc+sd-jwt`), for any standard verifier or `server verify`.
async fn download(State(state): State<AppState>, req: Request) -> Response<Body> {
    match download_credential(&state, &context(&req)).await {
        Ok(credential) => private(respond(StatusCode::OK, "application/dc+sd-jwt", credential), "passport.sd-jwt"),
        Err(e) => error(e),
    }
}

/// `GET /passport/download.json`: the same, wrapped as `{"format": "dc+sd-jwt", "credential"}`.
async fn download_json(State(state): State<AppState>, req: Request) -> Response<Body> {
    match download_credential(&state, &context(&req)).await {
        Ok(credential) => {
            let body = serde_json::json!({ "format": "dc+sd-jwt", "credential": credential }).to_string();
            private(respond(StatusCode::OK, "application/json", body), "passport.json")
        }
        Err(e) => error(e),
    }
}

/// `GET /passport-photos/{digest}`: the photo a passport's `photo_digest` binds, by the
/// base64url part of that digest. Never cached by shared caches; every fetch is audited.
async fn photo(State(state): State<AppState>, Path(digest): Path<String>, req: Request) -> Response<Body> {
    let ctx = context(&req);
    // Each fetch writes to the holder's history: someone not signed in gets a budget.
    if let Err(seconds) = rate_limit::anonymous_passport_read(&state, &ctx) {
        let mut res = respond(
            StatusCode::TOO_MANY_REQUESTS,
            "text/plain; charset=utf-8",
            "Too many requests: try again later".into(),
        );
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    match fetch_photo(&state, &ctx, &digest).await {
        Ok((content_type, bytes)) => {
            let mut res = Response::new(Body::from(bytes));
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
            res
        }
        Err(e) => error(e),
    }
}

/// The uploaded file of the form's `photo` field, read no further than the largest accepted.
async fn read_photo(req: Request) -> Result<Vec<u8>, String> {
    let too_large = || "The photo must be smaller than 500 KB".to_owned();
    let unreadable = || "Choose a photo to upload".to_owned();
    let mut form = Multipart::from_request(req, &()).await.map_err(|_| unreadable())?;
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() != Some("photo") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_PHOTO_BYTES {
                return Err(too_large());
            }
        }
        return Ok(bytes);
    }
    Err(unreadable())
}

/// `POST /people/{id}/passport/photo` (multipart, field `photo`): HR uploads a person's
/// passport photo. Posted by a page, the browser goes back to the passport record with the
/// outcome as a flash; called by a program, the outcome is the JSON body.
async fn upload_photo(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response<Body> {
    let ctx = context(&req);
    let plain = app::server::respond::wants_html(req.headers());
    let Ok(holder) = id.parse::<i32>() else {
        return error(AppError::NotFound);
    };
    // Refuse before reading the upload: only the person's HR may send one.
    let result = store_photo(&state, &ctx, holder, req).await;
    if !plain {
        return match result {
            Ok(message) => {
                respond(StatusCode::OK, "application/json", serde_json::to_string(&message).unwrap_or_default())
            }
            Err(e) => error(e),
        };
    }
    let cookie = match app::server::flash::keep(&state, PASSPORT_PHOTO_FORM, &result).await {
        Ok(cookie) => cookie,
        Err(e) => return error(e),
    };
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SEE_OTHER;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        h.insert(header::SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("/people/{holder}/passport")) {
        h.insert(header::LOCATION, v);
    }
    res
}
