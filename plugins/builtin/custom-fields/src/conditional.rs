//! Conditional logic: a field is shown (and so validated and stored) only when one of its
//! rule lists holds entirely, judged on the other fields' submitted values at its level.

use crate::model::Condition;
use serde_json::Value;

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "1".into(),
        Value::Bool(false) => "0".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn holds(condition: &Condition, value: Option<&Value>) -> bool {
    let value = value.unwrap_or(&Value::Null);
    let empty = crate::types::is_empty(value) || *value == Value::Bool(false);
    match condition.operator.as_str() {
        "==" => match value {
            Value::Array(items) => items.iter().any(|v| as_text(v) == condition.value),
            _ => as_text(value) == condition.value,
        },
        "!=" => match value {
            Value::Array(items) => !items.iter().any(|v| as_text(v) == condition.value),
            _ => as_text(value) != condition.value,
        },
        "==empty" => empty,
        "!=empty" => !empty,
        "==pattern" => regex::Regex::new(&condition.value).is_ok_and(|re| re.is_match(&as_text(value))),
        "==contains" => match value {
            Value::Array(items) => items.iter().any(|v| as_text(v).contains(&condition.value)),
            _ => as_text(value).contains(&condition.value),
        },
        _ => false,
    }
}

/// Whether a field with these rules is shown, given a lookup of sibling values by field key.
pub fn shown<'a>(rules: &[Vec<Condition>], value_of: impl Fn(&str) -> Option<&'a Value>) -> bool {
    rules.is_empty() || rules.iter().any(|all| all.iter().all(|c| holds(c, value_of(&c.field))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(operator: &str, value: &str) -> Vec<Vec<Condition>> {
        vec![vec![Condition {
            field: "f".into(),
            operator: operator.into(),
            value: value.into(),
        }]]
    }

    #[test]
    fn operators() {
        let v = json!("oral");
        let cases = [
            ("==", "oral", json!("oral"), true),
            ("==", "iv", v.clone(), false),
            ("!=", "iv", v.clone(), true),
            ("==empty", "", json!(""), true),
            ("==empty", "", v.clone(), false),
            ("!=empty", "", v.clone(), true),
            ("==pattern", "^or", v.clone(), true),
            ("==pattern", "^iv", v.clone(), false),
            ("==contains", "ra", v.clone(), true),
            ("==", "b", json!(["a", "b"]), true),
            ("==", "1", json!(true), true),
        ];
        for (op, expected_value, actual, expected) in cases {
            assert_eq!(
                shown(&rule(op, expected_value), |_| Some(&actual)),
                expected,
                "{op} {expected_value} {actual}"
            );
        }
        assert!(shown(&[], |_| None));
    }
}
