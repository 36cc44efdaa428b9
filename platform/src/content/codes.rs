//! The problem codes of content; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of content.
    pub enum ContentCode in "content" {
        /// approving medical content you wrote: someone else must review it
        SelfApproval = (403, "self_approval"),
        /// no such post of this type, or one you may not read (an unreadable draft is not told
        /// apart from a missing one)
        PostNotFound = (404, "post_not_found"),
        /// the post has no revision with this id
        RevisionNotFound = (404, "revision_not_found"),
        /// no such term in this taxonomy
        TermNotFound = (404, "term_not_found"),
        /// no such post type in this tenant; `detail` says where they are listed
        UnknownPostType = (404, "unknown_post_type"),
        /// no such taxonomy in this tenant; `detail` says where they are listed
        UnknownTaxonomy = (404, "unknown_taxonomy"),
        /// `category` and `post_tag` are built in: they cannot be changed or removed
        CoreTaxonomy = (409, "core_taxonomy"),
        /// `post` and `page` are built in: they cannot be changed or removed
        CoreType = (409, "core_type"),
        /// the default category cannot be deleted
        DefaultTerm = (409, "default_term"),
        /// a status change no one may make (to `auto-draft`); `detail` names the statuses allowed
        IllegalTransition = (409, "illegal_transition"),
        /// a trashed post can only be restored (`status: draft`) or deleted with `force=true`
        PostTrashed = (409, "post_trashed"),
        /// the post's slug is taken and `on_slug_conflict=error` was asked for
        SlugTaken = (409, "slug_taken"),
        /// the taxonomy name is registered, or reserved by WordPress core
        TaxonomyExists = (409, "taxonomy_exists"),
        /// a taxonomy that still has terms
        TaxonomyInUse = (409, "taxonomy_in_use"),
        /// a term of this taxonomy has that slug
        TermExists = (409, "term_exists"),
        /// the type name is registered, or reserved by WordPress core
        TypeExists = (409, "type_exists"),
        /// a type that still has posts or is named by a taxonomy
        TypeInUse = (409, "type_in_use"),
        /// deleting a trashed post without `force=true`
        AlreadyTrashed = (410, "already_trashed"),
        /// publishing a post that needs professional review before it is approved
        MedicalReviewRequired = (422, "medical_review_required"),
        /// publishing patient data that is neither anonymised nor consented to
        PatientDataWithoutConsent = (422, "patient_data_without_consent"),
        /// a plugin's filter failed, so nothing was saved; `detail` names the plugin and what
        /// stopped it: its time limit, fuel, memory limit, stack, the payload size limit, a trap
        /// (with its panic message), or output that is not a post
        PluginFailed = (422, "plugin_failed"),
        /// a plugin's `content.pre_save` or `content.pre_publish` filter refused the post; `detail`
        /// names the plugin and its reason, `errors` the fields it named (`acf.dose_mg`)
        RejectedByPlugin = (422, "rejected_by_plugin"),
    }
}
