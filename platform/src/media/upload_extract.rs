//! Reading an upload, as WordPress's `POST /wp/v2/media` takes it: the raw file as the body
//! with `Content-Disposition: attachment; filename="scan.png"`, or `multipart/form-data`
//! with a `file` part (and optional `title`, `alt_text`, `caption`, `post` parts). Either
//! way the bytes are counted as they arrive and refused with 413 past the limit.

use super::upload::{Upload, UploadFields};
use crate::http::ApiError;
use crate::media::codes::MediaCode;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use futures_util::StreamExt;
use utoipa::ToSchema;

/// The multipart form of an upload: the file (its part's file name required), and the same
/// optional fields as the query takes.
#[derive(ToSchema)]
#[expect(dead_code, reason = "the document's view of a form read part by part")]
pub struct UploadForm {
    #[schema(value_type = crate::openapi::Binary)]
    file: Vec<u8>,
    title: Option<String>,
    alt_text: Option<String>,
    caption: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    post: Option<String>,
}

/// Room for multipart framing and the descriptive parts beyond the file's own limit.
const FRAMING: usize = 256 * 1024;

fn too_large(max: usize) -> ApiError {
    ApiError::of(
        MediaCode::FileTooLarge,
        format!("the media library takes files of at most {max} bytes"),
    )
}

fn bad(code: MediaCode, detail: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    ApiError::of(code, detail)
}

/// Appends chunks to a buffer, refusing past `max` bytes.
async fn collect<S>(mut chunks: S, max: usize) -> Result<Bytes, ApiError>
where
    S: futures_util::Stream<Item = Result<Bytes, ApiError>> + Unpin,
{
    let mut buffer = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        if buffer.len() + chunk.len() > max {
            return Err(too_large(max));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

fn body_error(error: axum::Error, max: usize) -> ApiError {
    let source = error.into_inner();
    if source.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
        too_large(max)
    } else {
        bad(MediaCode::InvalidBody, format!("the upload was cut short: {source}"))
    }
}

fn form_error(error: axum::extract::multipart::MultipartError, max: usize) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        bad(MediaCode::InvalidBody, error.body_text())
    }
}

/// The `filename` of a Content-Disposition header (`filename*=UTF-8''...` preferred).
fn disposition_filename(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';').map(str::trim) {
        if let Some(encoded) = part.strip_prefix("filename*=") {
            let encoded = encoded.split_once("''").map_or(encoded, |(_, v)| v);
            let mut bytes = Vec::new();
            let mut rest = encoded.as_bytes();
            while let Some((&b, tail)) = rest.split_first() {
                if b == b'%' && tail.len() >= 2 {
                    let hex = std::str::from_utf8(&tail[..2]).ok()?;
                    bytes.push(u8::from_str_radix(hex, 16).ok()?);
                    rest = &tail[2..];
                } else {
                    bytes.push(b);
                    rest = tail;
                }
            }
            return String::from_utf8(bytes).ok();
        }
        if let Some(name) = part.strip_prefix("filename=") {
            plain = Some(name.trim_matches('"').to_owned());
        }
    }
    plain
}

/// Reads the upload from the request, within `max` bytes.
pub async fn read(request: Request, state: &AppState, max: usize, query: UploadFields) -> Result<Upload, ApiError> {
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > (max + FRAMING) as u64) {
        return Err(too_large(max));
    }
    // The route lifts the default body limit; this one bounds the whole body, framing and
    // form parts included, and `collect` bounds the file itself.
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, max + FRAMING)));
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        return read_multipart(request, state, max, query).await;
    }
    let filename = request
        .headers()
        .get(CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(disposition_filename)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            bad(
                MediaCode::MissingFilename,
                "send the file's name: Content-Disposition: attachment; filename=\"scan.png\"",
            )
        })?;
    let chunks = request
        .into_body()
        .into_data_stream()
        .map(|c| c.map_err(|e| body_error(e, max)));
    let bytes = collect(chunks, max).await?;
    Ok(Upload {
        filename,
        bytes,
        fields: query,
    })
}

async fn read_multipart(
    request: Request,
    state: &AppState,
    max: usize,
    query: UploadFields,
) -> Result<Upload, ApiError> {
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| bad(MediaCode::InvalidBody, e.body_text()))?;
    let mut fields = query;
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|e| form_error(e, max))? {
        match field.name() {
            Some("file") => {
                let filename = field
                    .file_name()
                    .filter(|n| !n.trim().is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| bad(MediaCode::MissingFilename, "the file part needs a filename"))?;
                if file.is_some() {
                    return Err(bad(MediaCode::InvalidBody, "one file per upload"));
                }
                file = Some((
                    filename,
                    collect(field.map(|c| c.map_err(|e| form_error(e, max))), max).await?,
                ));
            }
            Some(name @ ("title" | "alt_text" | "caption" | "post")) => {
                let name = name.to_owned();
                let text = collect(field.map(|c| c.map_err(|e| form_error(e, max))), 64 * 1024).await?;
                let text = String::from_utf8(text.to_vec())
                    .map_err(|_| bad(MediaCode::InvalidBody, format!("{name} is not UTF-8 text")))?;
                match name.as_str() {
                    "title" => fields.title = Some(text),
                    "alt_text" => fields.alt_text = Some(text),
                    "caption" => fields.caption = Some(text),
                    _ => {
                        fields.post = Some(
                            text.trim()
                                .parse()
                                .map_err(|_| bad(MediaCode::InvalidBody, "post is a post id"))?,
                        )
                    }
                }
            }
            other => {
                return Err(bad(
                    MediaCode::InvalidBody,
                    format!(
                        "unexpected form part {:?}: file, title, alt_text, caption, post",
                        other.unwrap_or("")
                    ),
                ));
            }
        }
    }
    let (filename, bytes) = file.ok_or_else(|| bad(MediaCode::InvalidBody, "the form has no file part"))?;
    Ok(Upload {
        filename,
        bytes,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::disposition_filename;

    #[test]
    fn content_disposition_names_the_file() {
        assert_eq!(
            disposition_filename("attachment; filename=\"scan.png\"").as_deref(),
            Some("scan.png")
        );
        assert_eq!(
            disposition_filename("attachment; filename=x.png; filename*=UTF-8''t%C3%B3rax.png").as_deref(),
            Some("tórax.png")
        );
        assert_eq!(disposition_filename("attachment"), None);
    }
}
