//! `docs/problems.md`, generated from every domain's problem codes.

use crate::problem_codes::{CodeDoc, ProblemCode};

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

const INTRO: &str = include_str!("problems_page_intro.md");

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

    /// Every `problem_codes!` enum is on the page: a new domain's enum left out of
    /// `catalogue` would answer codes nobody documented.
    #[test]
    fn every_code_enum_is_catalogued() {
        fn count(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir)
                .expect("read src")
                .flatten()
                .map(|entry| {
                    let path = entry.path();
                    if path.is_dir() {
                        count(&path)
                    } else if path.extension().is_some_and(|e| e == "rs") {
                        let text = std::fs::read_to_string(&path).unwrap_or_default();
                        text.lines().filter(|l| l.starts_with("problem_codes! {")).count()
                    } else {
                        0
                    }
                })
                .sum()
        }
        let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        assert_eq!(count(src), super::catalogue().len(), "add the new enum to catalogue()");
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
