use crate::http::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A tenant's settings. Later issues read these: the CORS allow-list, which roles must use
/// MFA, and the trust score each kind of action requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Shown to the organisation's users (1 to 200 characters, not only spaces); the
    /// tenant's name when absent.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub site_title: Option<String>,
    /// IANA time zone name, such as `America/Sao_Paulo`.
    #[schema(schema_with = timezone_schema)]
    pub timezone: String,
    /// BCP 47 language tag, such as `pt-BR`.
    #[schema(max_length = 35, pattern = "^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub locale: String,
    /// Browser origins allowed to call this tenant's API (`https://portal.clinic.example`):
    /// scheme, lower-case host and optional port; at most 50.
    #[schema(max_items = 50, inline, value_type = Vec<Origin>)]
    pub cors_allowed_origins: Vec<String>,
    /// Roles whose users must use multi-factor authentication; at most 32.
    #[schema(max_items = 32, inline, value_type = Vec<RoleName>)]
    pub mfa_required_roles: Vec<String>,
    /// Default: create_draft 50, publish 85, read_phi 75, manage_users 0.
    #[schema(schema_with = thresholds_schema)]
    pub trust_thresholds: TrustThresholds,
}

/// The thresholds' own schema, each with its default, without the whole object as a default
/// of its own (which generators cannot model).
fn thresholds_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    <TrustThresholds as utoipa::PartialSchema>::schema()
}

/// The time zones `timezone` takes: every IANA name, as an enum.
fn timezone_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
        .default(Some(serde_json::json!("UTC")))
        .into()
}

const LABEL: &str = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
/// 1 to 65535, no leading zeros.
const PORT: &str = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";

crate::openapi::string_schema::pattern_schema!(
    /// A browser origin: `http` or `https`, a lower-case host name, an optional port.
    Origin = format!(r"^https?://{LABEL}(\.{LABEL})*(:{PORT})?$")
);

crate::openapi::string_schema::pattern_schema!(
    /// A role name: 1 to 64 of a-z, 0-9 and _.
    RoleName = "^[a-z0-9_]{1,64}$"
);

/// The zero-trust score (0 to 100) an action requires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TrustThresholds {
    #[schema(maximum = 100)]
    pub create_draft: u8,
    #[schema(maximum = 100)]
    pub publish: u8,
    #[schema(maximum = 100)]
    pub read_phi: u8,
    /// Creating users, changing roles, deactivating, verifying registries, custom roles.
    /// 0 (off) unless the tenant raises it.
    #[schema(maximum = 100)]
    pub manage_users: u8,
}

impl Default for TrustThresholds {
    fn default() -> Self {
        Self {
            create_draft: 50,
            publish: 85,
            read_phi: 75,
            manage_users: 0,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            site_title: None,
            timezone: "UTC".into(),
            locale: "en".into(),
            cors_allowed_origins: Vec::new(),
            mfa_required_roles: Vec::new(),
            trust_thresholds: TrustThresholds::default(),
        }
    }
}

pub const MAX_ORIGINS: usize = 50;
pub const MAX_ROLES: usize = 32;

impl Settings {
    /// Every problem of the document, each naming its field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut err = |field: String, message: &str| {
            errors.push(FieldError {
                field,
                message: message.into(),
            })
        };
        if let Some(title) = &self.site_title
            && (title.trim().is_empty() || title.chars().count() > 200)
        {
            err("site_title".into(), "1 to 200 characters");
        }
        if !valid_timezone(&self.timezone) {
            err("timezone".into(), "an IANA time zone name such as UTC or Europe/Lisbon");
        }
        if !valid_locale(&self.locale) {
            err("locale".into(), "a BCP 47 language tag such as en or pt-BR");
        }
        if self.cors_allowed_origins.len() > MAX_ORIGINS {
            err("cors_allowed_origins".into(), "at most 50 origins");
        }
        for (i, origin) in self.cors_allowed_origins.iter().enumerate() {
            if !valid_origin(origin) {
                err(
                    format!("cors_allowed_origins/{i}"),
                    "an origin: scheme, host and optional port, such as https://app.example.org",
                );
            }
        }
        if self.mfa_required_roles.len() > MAX_ROLES {
            err("mfa_required_roles".into(), "at most 32 roles");
        }
        for (i, role) in self.mfa_required_roles.iter().enumerate() {
            let ok = (1..=64).contains(&role.len())
                && role
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                err(
                    format!("mfa_required_roles/{i}"),
                    "a role name: 1 to 64 of a-z, 0-9 and _",
                );
            }
        }
        let t = self.trust_thresholds;
        for (name, value) in [
            ("create_draft", t.create_draft),
            ("publish", t.publish),
            ("read_phi", t.read_phi),
            ("manage_users", t.manage_users),
        ] {
            if value > 100 {
                err(format!("trust_thresholds/{name}"), "a score from 0 to 100");
            }
        }
        errors
    }
}

fn valid_timezone(tz: &str) -> bool {
    tz.parse::<chrono_tz::Tz>().is_ok()
}

fn valid_locale(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Exactly what [`Origin`]'s pattern says: `http` or `https`, lower-case labels of a-z, 0-9
/// and inner hyphens, and a port of 1 to 65535 without leading zeros. IP addresses are origins
/// too (a development front end at `http://127.0.0.1:3000`).
fn valid_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && !p.starts_with('0')
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    });
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    port_ok && host.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(Settings::default().validate().is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = Settings {
            site_title: Some(" ".into()),
            timezone: "Not a zone".into(),
            locale: "english!".into(),
            cors_allowed_origins: vec![
                "https://ok.example".into(),
                "ftp://x.example".into(),
                "https://a.example/path".into(),
            ],
            mfa_required_roles: vec!["Admin".into()],
            trust_thresholds: TrustThresholds {
                create_draft: 101,
                publish: 85,
                read_phi: 75,
                manage_users: 0,
            },
        };
        let fields: Vec<_> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "site_title",
                "timezone",
                "locale",
                "cors_allowed_origins/1",
                "cors_allowed_origins/2",
                "mfa_required_roles/0",
                "trust_thresholds/create_draft"
            ]
        );
    }

    #[test]
    fn origins_with_ports_are_fine() {
        assert!(valid_origin("http://localhost:3000"));
        assert!(valid_origin("https://portal.clinic.example"));
        assert!(!valid_origin("https://portal.clinic.example:0"));
        assert!(!valid_origin("https://portal.clinic.example:080"));
        assert!(!valid_origin("https://portal.clinic.example:65536"));
        assert!(valid_origin("http://127.0.0.1:65535"), "addresses are origins too");
        assert!(valid_origin("http://3"));
        assert!(
            !valid_origin("https://Portal.example"),
            "lower case, as browsers send it"
        );
        assert!(!valid_origin("https://"));
    }
}
