//! Location rules: which field groups apply to a post. A group applies when any of its rule
//! lists holds entirely (OR of ANDs), as in ACF.

use crate::model::{FieldGroup, PostFacts, Rule};

fn holds(rule: &Rule, post: &PostFacts) -> bool {
    let equal = match rule.param.as_str() {
        "post_type" => post.post_type == rule.value,
        "post_status" => post.status == rule.value,
        // ACF's "default" template is the empty one.
        "post_template" | "page_template" => {
            post.template == rule.value || (rule.value == "default" && post.template.is_empty())
        }
        "page_parent" | "post_parent" => post.parent.as_deref() == Some(rule.value.as_str()),
        // `taxonomy:term_id`, as ACF writes `category:12`.
        "post_taxonomy" | "post_category" => post.terms.contains(&rule.value),
        "user_role" | "current_user_role" => post.roles.contains(&rule.value),
        // A rule we do not know never holds, as in ACF.
        _ => return false,
    };
    match rule.operator.as_str() {
        "==" => equal,
        "!=" => !equal,
        _ => false,
    }
}

/// Active groups whose location matches, in menu order.
pub fn matching<'a>(groups: &'a [FieldGroup], post: &PostFacts) -> Vec<&'a FieldGroup> {
    let mut found: Vec<&FieldGroup> = groups
        .iter()
        .filter(|g| {
            g.active
                && g.location
                    .iter()
                    .any(|all| !all.is_empty() && all.iter().all(|r| holds(r, post)))
        })
        .collect();
    found.sort_by_key(|g| g.menu_order);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Config;
    use serde_json::json;

    fn groups(location: serde_json::Value) -> Config {
        Config::parse(&json!({"field_groups": [{"key": "g", "title": "G", "fields": [], "location": location}]}))
            .unwrap()
    }

    fn facts() -> PostFacts {
        PostFacts {
            post_type: "post".into(),
            status: "draft".into(),
            template: String::new(),
            parent: None,
            terms: vec!["category:c1".into()],
            roles: vec!["editor".into()],
        }
    }

    #[test]
    fn or_of_and() {
        let rule = |p: &str, o: &str, v: &str| json!({"param": p, "operator": o, "value": v});
        let cases = [
            (json!([[rule("post_type", "==", "post")]]), true),
            (json!([[rule("post_type", "==", "page")]]), false),
            (
                json!([[rule("post_type", "==", "post"), rule("post_status", "==", "publish")]]),
                false,
            ),
            (
                json!([[rule("post_type", "==", "page")], [rule("user_role", "==", "editor")]]),
                true,
            ),
            (json!([[rule("post_taxonomy", "==", "category:c1")]]), true),
            (json!([[rule("post_template", "==", "default")]]), true),
            (json!([[rule("post_type", "!=", "page")]]), true),
            (json!([[rule("page_parent", "==", "p1")]]), false),
            (json!([[rule("unknown", "==", "x")]]), false),
            (json!([]), false),
        ];
        for (location, expected) in cases {
            let config = groups(location.clone());
            assert_eq!(
                matching(&config.field_groups, &facts()).len() == 1,
                expected,
                "{location}"
            );
        }
    }
}
