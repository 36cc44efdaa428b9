//! Which files the media library takes: the type is sniffed from the bytes (never taken from
//! the client's Content-Type), must be on the allow-list, and must match the file name's
//! extension, as WordPress's `wp_check_filetype_and_ext` insists.

use crate::http::ApiError;
use crate::media::codes::MediaCode;
use serde::Serialize;
use utoipa::ToSchema;

/// WordPress's `media_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Image,
    Video,
    Audio,
    File,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::File => "file",
        }
    }
}

#[derive(Debug)]
pub struct Kind {
    pub mime: &'static str,
    pub extensions: &'static [&'static str],
    pub media_type: MediaType,
}

/// The allow-list. No SVG or HTML (script in a same-origin download), no archives or
/// executables, nothing that cannot be recognised from its bytes.
pub const ALLOWED: [Kind; 8] = [
    Kind {
        mime: "image/jpeg",
        extensions: &["jpg", "jpeg", "jpe"],
        media_type: MediaType::Image,
    },
    Kind {
        mime: "image/png",
        extensions: &["png"],
        media_type: MediaType::Image,
    },
    Kind {
        mime: "image/gif",
        extensions: &["gif"],
        media_type: MediaType::Image,
    },
    Kind {
        mime: "image/webp",
        extensions: &["webp"],
        media_type: MediaType::Image,
    },
    Kind {
        mime: "application/pdf",
        extensions: &["pdf"],
        media_type: MediaType::File,
    },
    Kind {
        mime: "video/mp4",
        extensions: &["mp4", "m4v"],
        media_type: MediaType::Video,
    },
    Kind {
        mime: "audio/mpeg",
        extensions: &["mp3"],
        media_type: MediaType::Audio,
    },
    Kind {
        mime: "audio/x-wav",
        extensions: &["wav"],
        media_type: MediaType::Audio,
    },
];

pub fn by_mime(mime: &str) -> Option<&'static Kind> {
    ALLOWED.iter().find(|k| k.mime == mime)
}

fn allowed_list() -> String {
    ALLOWED.iter().map(|k| k.mime).collect::<Vec<_>>().join(", ")
}

/// The kind of `bytes`, or 415 naming what is allowed.
pub fn sniff(bytes: &[u8]) -> Result<&'static Kind, ApiError> {
    let sniffed = infer::get(bytes).map(|t| t.mime_type());
    sniffed.and_then(by_mime).ok_or_else(|| {
        let what = sniffed.map_or_else(|| "a file of unknown type".to_owned(), |m| m.to_owned());
        ApiError::of(
            MediaCode::UnsupportedMediaType,
            format!("{what} is not accepted; the media library takes {}", allowed_list()),
        )
    })
}

/// 415 unless the file name's extension is one of the kind's.
pub fn check_extension(kind: &Kind, filename: &str) -> Result<(), ApiError> {
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if extension.as_deref().is_some_and(|e| kind.extensions.contains(&e)) {
        return Ok(());
    }
    Err(ApiError::of(
        MediaCode::MediaTypeMismatch,
        format!(
            "the file is {} but its name does not end in .{}",
            kind.mime,
            kind.extensions.join(" or .")
        ),
    ))
}

/// A file name safe to store and to send back in Content-Disposition: the last path
/// segment, printable ASCII letters, digits, `.`, `-` and `_` only, at most 200 characters.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = slug::slugify(last.rsplit_once('.').map_or(last, |(stem, _)| stem));
    let extension: String = last
        .rsplit_once('.')
        .map(|(_, e)| e.chars().filter(char::is_ascii_alphanumeric).take(10).collect())
        .unwrap_or_default();
    let stem = if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned.chars().take(180).collect()
    };
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{}", extension.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x03\x08\x02\0\0\0";

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(PNG).expect("png").mime, "image/png");
        let refused = sniff(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").expect_err("svg");
        assert_eq!(refused.status().as_u16(), 415);
        assert!(sniff(b"MZ\x90\0\x03\0\0\0").is_err(), "executables are refused");
    }

    #[test]
    fn the_extension_must_match() {
        let png = by_mime("image/png").expect("png");
        assert!(check_extension(png, "scan.PNG").is_ok());
        assert_eq!(
            check_extension(png, "scan.jpg").expect_err("mismatch").code(),
            "media_type_mismatch"
        );
        assert!(check_extension(png, "scan").is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_filename("../../etc/Raio X Tórax.PNG"), "raio-x-torax.png");
        assert_eq!(clean_filename("C:\\a\\b.jpg"), "b.jpg");
        assert_eq!(clean_filename("\"; evil=.jpg"), "evil.jpg");
        assert_eq!(clean_filename(""), "file");
    }
}
