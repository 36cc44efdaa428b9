//! Who may do what: WordPress's roles and capabilities, with healthcare roles and
//! tenant-defined custom roles, and `map_meta_cap` for questions about one object.

pub mod builtin_roles;
pub mod codes;
pub mod meta_cap;
pub mod principal;
pub mod trust;

pub use meta_cap::{MetaCap, PostFacts};
pub use principal::Principal;
