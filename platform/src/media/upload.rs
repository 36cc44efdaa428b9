//! An upload, as the media library takes it: a file name, its bytes, and the descriptive
//! fields. `media::upload_extract` reads one from a request.

use crate::content::ids::PostId;
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;

/// The descriptive fields of an upload, from the query string (raw uploads) or form parts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadFields {
    /// Default: the file name without its extension.
    pub title: Option<String>,
    /// Alternative text for images (accessibility).
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    /// The post the file belongs to; its readers may download it. Needs the right to edit it.
    pub post: Option<PostId>,
}

/// A file read in full (within the size limit), with its descriptive fields.
pub struct Upload {
    pub filename: String,
    pub bytes: Bytes,
    pub fields: UploadFields,
}
