//! Extractors that turn every rejection into a problem response.
//!
//! They also refuse U+0000 in any string they hand on (400 `nul_character`): PostgreSQL's
//! text cannot hold it, so letting one through would fail later, as a 500, in whatever query
//! first stores it.

use super::problem::ApiError;
use crate::http::codes::RequestCode;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON body: 415 without a JSON content type, 413 over the body limit, 400 when it is not
/// JSON or a string in it holds U+0000, 422 when it is JSON of the wrong shape. Every body of
/// this API is an object: serde would also read a struct from an array of its fields in
/// order (`[null, "a@b.c"]`), which the document does not allow, so anything but an object is
/// a 422.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| json_problem(e.into()))?;
        let value = match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => value,
            Err(rejection) => whole_numbers_as_integers(&bytes).ok_or_else(|| json_problem(rejection))?,
        };
        if has_escaped_nul(&bytes) {
            return Err(nul_character("the body"));
        }
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::of(RequestCode::InvalidBody, "the body is a JSON object"));
        }
        Ok(Self(value))
    }
}

/// An optional JSON body: none (empty, whatever its content type) is `None`; anything else
/// goes through [`Json`]'s checks, with the same problems.
impl<T: DeserializeOwned, S: Send + Sync> axum::extract::OptionalFromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| json_problem(e.into()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        <Self as FromRequest<S>>::from_request(req, state).await.map(Some)
    }
}

/// JSON has one number type: `44.0` is the integer 44 (so says JSON Schema, and a JavaScript
/// client cannot tell the two apart), where serde refuses a float for an integer field. When
/// the typed read fails, it is tried once more with every whole float written as an integer;
/// `None` when that fails too (the first error is the one to report).
fn whole_numbers_as_integers<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    fn normalise(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let whole = f.fract() == 0.0 && f.abs() < 9.0e15;
                if whole {
                    *value = serde_json::Value::from(f as i64);
                }
                whole
            }
            // Every element is normalised: counting, not `any`, which would stop at the first.
            serde_json::Value::Array(items) => items.iter_mut().map(normalise).filter(|changed| *changed).count() > 0,
            serde_json::Value::Object(map) => map.values_mut().map(normalise).filter(|changed| *changed).count() > 0,
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if !normalise(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// `application/json`, or any `application/*+json`, as axum's own `Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence
        .strip_prefix("application/")
        .is_some_and(|subtype| subtype == "json" || subtype.ends_with("+json"))
}

/// Whether JSON text holds U+0000 in a string (or a key). In valid JSON it can only be written
/// as the escape `\u0000`; an escaped backslash before `u0000` is not one.
pub(crate) fn has_escaped_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000".as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn nul_character(place: &str) -> ApiError {
    ApiError::of(
        RequestCode::NulCharacter,
        format!("{place} holds the character U+0000, which text cannot contain"),
    )
}

fn unsupported_media_type() -> ApiError {
    ApiError::of(RequestCode::UnsupportedMediaType, "send the body as application/json")
}

fn json_problem(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => unsupported_media_type(),
        JsonRejection::JsonSyntaxError(e) => ApiError::of(
            RequestCode::MalformedJson,
            format!("the body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => ApiError::of(RequestCode::InvalidBody, e.body_text()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::of(
            RequestCode::BodyTooLarge,
            "the body is larger than this endpoint accepts",
        ),
        other => ApiError::of(RequestCode::UnreadableBody, other.body_text()),
    }
}

/// Path parameters; a malformed one is a 400 before any database call.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Percent-encoded, as the only way a NUL can be in a URI.
        if parts.uri.path().contains("%00") {
            return Err(nul_character("the path"));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|e: PathRejection| ApiError::of(RequestCode::InvalidPath, e.body_text()))
    }
}

/// Query parameters; malformed ones are a 400.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(nul_character("the query"));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Self(v))
            .map_err(|e: QueryRejection| ApiError::of(RequestCode::InvalidQuery, e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::has_escaped_nul;

    #[test]
    fn whole_floats_read_as_integers_only_when_the_typed_read_needs_it() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Kept {
            keep: i32,
            list: Vec<u8>,
        }
        let read: Option<Kept> = super::whole_numbers_as_integers(br#"{"keep": 44.0, "list": [1.0, 2]}"#);
        assert_eq!(
            read,
            Some(Kept {
                keep: 44,
                list: vec![1, 2]
            })
        );
        let fractional: Option<Kept> = super::whole_numbers_as_integers(br#"{"keep": 44.5, "list": []}"#);
        assert_eq!(fractional, None);
    }

    #[test]
    fn nul_escapes_are_found_and_escaped_backslashes_are_not() {
        assert!(has_escaped_nul(br#"{"a": "x\u0000y"}"#));
        assert!(has_escaped_nul(br#"{"\u0000": 1}"#));
        assert!(!has_escaped_nul(br#"{"a": "x\\u0000y"}"#));
        assert!(has_escaped_nul(br#"{"a": "x\\\u0000y"}"#));
        assert!(!has_escaped_nul(br#"{"a": "\u0001"}"#));
    }
}
