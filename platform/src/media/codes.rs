//! The problem codes of media; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of media.
    pub enum MediaCode in "media" {
        /// an upload or form that is malformed or cut short, has an unknown part or more than one
        /// file, or a field that is not UTF-8 text or not of its type
        InvalidBody = (400, "invalid_body"),
        /// a raw upload without `Content-Disposition: attachment; filename="..."`, or a form's file
        /// part without a name
        MissingFilename = (400, "missing_filename"),
        /// no such media item, or one you may not read
        MediaNotFound = (404, "media_not_found"),
        /// an upload over `PLATFORM_MEDIA_MAX_BYTES` (counted as it arrives, whatever
        /// Content-Length says)
        FileTooLarge = (413, "file_too_large"),
        /// the file's name does not end in an extension of its real type
        MediaTypeMismatch = (415, "media_type_mismatch"),
        /// an upload whose bytes are not of an allowed type; `detail` lists the allowed ones
        UnsupportedMediaType = (415, "unsupported_media_type"),
        /// the file starts as an image but its size cannot be read
        UnreadableImage = (422, "unreadable_image"),
        /// deleting media without `force=true`: media have no trash, as in WordPress
        TrashNotSupported = (501, "trash_not_supported"),
    }
}
