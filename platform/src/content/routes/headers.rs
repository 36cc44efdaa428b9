//! The headers content's answers carry: the post's version as its ETag, where a created post
//! or term lives, and a page's `X-Total-Count` and `Link`.

use crate::content::paged::Paged;
use crate::content::view::PostView;
use crate::http::etag::etag;
use crate::http::pagination;
use axum::http::header::{ETAG, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A post with its ETag; a created one (201) with its Location too.
pub(super) fn with_etag(status: StatusCode, view: PostView) -> Response {
    let mut response = (status, [(ETAG, etag(view.version))], axum::Json(&view)).into_response();
    if status == StatusCode::CREATED {
        located(&mut response, &view.link);
    }
    response
}

/// Adds `Location: {link}`.
pub(super) fn located(response: &mut Response, link: &str) {
    if let Ok(location) = HeaderValue::from_str(link) {
        response.headers_mut().insert(LOCATION, location);
    }
}

/// `X-Total-Count` and `Link` for a page of the list at `uri`, its other parameters kept.
pub(super) fn paging<T>(paged: &Paged<T>, uri: &Uri) -> HeaderMap {
    let others = pagination::other_params(uri.query());
    pagination::headers(paged.page, paged.total, uri.path(), &others)
}
