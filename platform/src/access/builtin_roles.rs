//! The built-in roles: WordPress core's five with exactly the capabilities `populate_roles()`
//! gives them (user levels included, as WordPress still assigns them), plus the healthcare
//! roles of the seed's database design. Built-in roles are defined here, in code, and cannot
//! be edited through the API: every tenant gets the same, current definitions, and no
//! administrator can lock a tenant out by editing `administrator`. Tenants add custom roles.

/// Capabilities every role of this platform may refer to beyond WordPress core.
pub const APPROVE_MEDICAL_CONTENT: &str = "approve_medical_content";
pub const VIEW_AUDIT_TRAIL: &str = "view_audit_trail";
pub const MANAGE_COMPLIANCE: &str = "manage_compliance";

const SUBSCRIBER: &[&str] = &["read", "level_0"];

const CONTRIBUTOR: &[&str] = &["edit_posts", "read", "level_1", "level_0", "delete_posts"];

const AUTHOR: &[&str] = &[
    "upload_files",
    "edit_posts",
    "edit_published_posts",
    "publish_posts",
    "read",
    "level_2",
    "level_1",
    "level_0",
    "delete_posts",
    "delete_published_posts",
];

const EDITOR: &[&str] = &[
    "moderate_comments",
    "manage_categories",
    "manage_links",
    "upload_files",
    "unfiltered_html",
    "edit_posts",
    "edit_others_posts",
    "edit_published_posts",
    "publish_posts",
    "edit_pages",
    "read",
    "level_7",
    "level_6",
    "level_5",
    "level_4",
    "level_3",
    "level_2",
    "level_1",
    "level_0",
    "edit_others_pages",
    "edit_published_pages",
    "publish_pages",
    "delete_pages",
    "delete_others_pages",
    "delete_published_pages",
    "delete_posts",
    "delete_others_posts",
    "delete_published_posts",
    "delete_private_posts",
    "edit_private_posts",
    "read_private_posts",
    "delete_private_pages",
    "edit_private_pages",
    "read_private_pages",
];

const ADMINISTRATOR: &[&str] = &[
    "switch_themes",
    "edit_themes",
    "activate_plugins",
    "edit_plugins",
    "edit_users",
    "edit_files",
    "manage_options",
    "moderate_comments",
    "manage_categories",
    "manage_links",
    "upload_files",
    "import",
    "unfiltered_html",
    "edit_posts",
    "edit_others_posts",
    "edit_published_posts",
    "publish_posts",
    "edit_pages",
    "read",
    "level_10",
    "level_9",
    "level_8",
    "level_7",
    "level_6",
    "level_5",
    "level_4",
    "level_3",
    "level_2",
    "level_1",
    "level_0",
    "edit_others_pages",
    "edit_published_pages",
    "publish_pages",
    "delete_pages",
    "delete_others_pages",
    "delete_published_pages",
    "delete_posts",
    "delete_others_posts",
    "delete_published_posts",
    "delete_private_posts",
    "edit_private_posts",
    "read_private_posts",
    "delete_private_pages",
    "edit_private_pages",
    "read_private_pages",
    "delete_users",
    "create_users",
    "unfiltered_upload",
    "edit_dashboard",
    "update_plugins",
    "delete_plugins",
    "install_plugins",
    "update_themes",
    "install_themes",
    "update_core",
    "list_users",
    "remove_users",
    "promote_users",
    "edit_theme_options",
    "delete_themes",
    "export",
    // Healthcare capabilities: the administrator holds every capability of the platform.
    APPROVE_MEDICAL_CONTENT,
    VIEW_AUDIT_TRAIL,
    MANAGE_COMPLIANCE,
];

const MEDICAL_PROFESSIONAL: &[&str] = &["read", "edit_posts", "publish_posts"];
const CONTENT_REVIEWER: &[&str] = &["read", "edit_others_posts", APPROVE_MEDICAL_CONTENT];
const COMPLIANCE_OFFICER: &[&str] = &["read", VIEW_AUDIT_TRAIL, MANAGE_COMPLIANCE];

/// A role defined in code.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    pub name: &'static str,
    pub display_name: &'static str,
    pub capabilities: &'static [&'static str],
}

pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        name: "administrator",
        display_name: "Administrator",
        capabilities: ADMINISTRATOR,
    },
    BuiltinRole {
        name: "editor",
        display_name: "Editor",
        capabilities: EDITOR,
    },
    BuiltinRole {
        name: "author",
        display_name: "Author",
        capabilities: AUTHOR,
    },
    BuiltinRole {
        name: "contributor",
        display_name: "Contributor",
        capabilities: CONTRIBUTOR,
    },
    BuiltinRole {
        name: "subscriber",
        display_name: "Subscriber",
        capabilities: SUBSCRIBER,
    },
    BuiltinRole {
        name: "medical_professional",
        display_name: "Medical professional",
        capabilities: MEDICAL_PROFESSIONAL,
    },
    BuiltinRole {
        name: "content_reviewer",
        display_name: "Content reviewer",
        capabilities: CONTENT_REVIEWER,
    },
    BuiltinRole {
        name: "compliance_officer",
        display_name: "Compliance officer",
        capabilities: COMPLIANCE_OFFICER,
    },
];

pub fn builtin_role(name: &str) -> Option<&'static BuiltinRole> {
    BUILTIN_ROLES.iter().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(role: &str) -> &'static [&'static str] {
        builtin_role(role).expect("built-in").capabilities
    }

    #[test]
    fn each_wordpress_role_is_a_superset_of_the_one_below() {
        for (higher, lower) in [
            ("administrator", "editor"),
            ("editor", "author"),
            ("author", "contributor"),
            ("contributor", "subscriber"),
        ] {
            for cap in caps(lower) {
                assert!(caps(higher).contains(cap), "{higher} lacks {lower}'s {cap}");
            }
        }
    }

    #[test]
    fn administrator_holds_every_capability_of_every_builtin_role() {
        for role in BUILTIN_ROLES {
            for cap in role.capabilities {
                assert!(
                    caps("administrator").contains(cap),
                    "administrator lacks {cap} of {}",
                    role.name
                );
            }
        }
    }

    #[test]
    fn no_role_lists_a_capability_twice() {
        for role in BUILTIN_ROLES {
            let mut seen = std::collections::HashSet::new();
            assert!(role.capabilities.iter().all(|c| seen.insert(c)), "{}", role.name);
        }
    }
}
