//! Problem codes: the stable `code` of every error answer, one enum per domain. Each variant
//! carries its HTTP status and a doc comment saying when it is answered; `docs/problems.md`
//! is generated from those comments (`platform problems`), and a test fails when it is stale.
//! Domain code names a variant (`UserCode::UserNotFound`); the HTTP face turns it into a
//! problem (`ApiError::of`). Knows nothing of HTTP beyond the status number.

/// One code as the documentation lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    pub status: u16,
    pub code: &'static str,
    /// The variant's doc comment: when the code is answered.
    pub when: &'static str,
}

/// A problem code of one domain.
pub trait ProblemCode: Copy {
    /// Every code of the domain, for the documentation.
    const ALL: &'static [CodeDoc];
    /// The domain, as the documentation names it.
    const DOMAIN: &'static str;
    fn status(self) -> u16;
    fn code(self) -> &'static str;
}

/// Declares a domain's codes: `Variant = (status, "code")`, each with a doc comment.
macro_rules! problem_codes {
    (
        $(#[doc = $enum_doc:literal])*
        pub enum $name:ident in $domain:literal {
            $( $(#[doc = $doc:literal])+ $variant:ident = ($status:literal, $code:literal), )+
        }
    ) => {
        $(#[doc = $enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl $crate::problem_codes::ProblemCode for $name {
            const ALL: &'static [$crate::problem_codes::CodeDoc] = &[
                $( $crate::problem_codes::CodeDoc {
                    status: $status,
                    code: $code,
                    when: concat!($($doc, "\n"),+),
                }, )+
            ];
            const DOMAIN: &'static str = $domain;

            fn status(self) -> u16 {
                match self { $( Self::$variant => $status, )+ }
            }

            fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )+ }
            }
        }
    };
}
pub(crate) use problem_codes;

/// Every domain's codes, in the order the documentation groups them.
fn catalogue() -> Vec<(&'static str, &'static [CodeDoc])> {
    fn of<C: ProblemCode>() -> (&'static str, &'static [CodeDoc]) {
        (C::DOMAIN, C::ALL)
    }
    vec![
        of::<crate::http::codes::RequestCode>(),
        of::<crate::http::codes::TenancyCode>(),
        of::<crate::auth::codes::AuthCode>(),
        of::<crate::access::codes::AccessCode>(),
        of::<crate::users::codes::UserCode>(),
        of::<crate::roles::codes::RoleCode>(),
        of::<crate::content::codes::ContentCode>(),
        of::<crate::media::codes::MediaCode>(),
        of::<crate::plugins::codes::PluginCode>(),
        of::<crate::ops::codes::OpsCode>(),
    ]
}

const INTRO: &str = include_str!("problem_codes_intro.md");

/// `docs/problems.md`: the introduction, then every code by status.
pub fn markdown() -> String {
    let mut rows: Vec<(u16, &str, &str, String)> = catalogue()
        .into_iter()
        .flat_map(|(domain, codes)| codes.iter().map(move |c| (domain, c)))
        .map(|(domain, c)| {
            let when = c.when.lines().map(str::trim).collect::<Vec<_>>().join(" ");
            (c.status, c.code, domain, when.trim().to_owned())
        })
        .collect();
    rows.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut out = String::from(INTRO);
    out.push_str("\n| status | code | domain | when |\n|---|---|---|---|\n");
    for (status, code, domain, when) in rows {
        out.push_str(&format!("| {status} | `{code}` | {domain} | {when} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    /// `docs/problems.md` is what integrators read; regenerate it with
    /// `cargo run -p platform -- problems > docs/problems.md`.
    #[test]
    fn problem_codes_page_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/problems.md");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == super::markdown(),
            "docs/problems.md is stale: run `cargo run -p platform -- problems > docs/problems.md`"
        );
    }

    /// Within a domain a code is declared once. (Across domains one code may mean two things:
    /// `invalid_body` is a 422 for JSON of the wrong shape and a 400 for a torn upload.)
    #[test]
    fn a_domain_declares_each_code_once() {
        for (domain, codes) in super::catalogue() {
            let mut seen: HashMap<&str, u16> = HashMap::new();
            for c in codes {
                assert!(
                    seen.insert(c.code, c.status).is_none(),
                    "{domain} declares {} twice",
                    c.code
                );
            }
        }
    }
}
