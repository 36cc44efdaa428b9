//! One value against its field's type and settings: what ACF accepts, normalised to what it
//! stores (dates as `Ymd`, numbers as numbers, choices as their values).

use crate::model::Field;
use serde_json::{Number, Value, json};

pub type Checked = Result<Value, String>;

/// Every field type we know, as ACF names them.
pub const TYPES: [&str; 28] = [
    "text",
    "textarea",
    "number",
    "range",
    "email",
    "url",
    "password",
    "wysiwyg",
    "select",
    "checkbox",
    "radio",
    "button_group",
    "true_false",
    "date_picker",
    "date_time_picker",
    "time_picker",
    "color_picker",
    "link",
    "post_object",
    "relationship",
    "taxonomy",
    "user",
    "image",
    "file",
    "gallery",
    "group",
    "repeater",
    "flexible_content",
];

/// Whether a submitted value counts as no value (for `required`).
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn string(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| "must be text".to_owned())
}

fn max_length(field: &Field, text: &str) -> Result<(), String> {
    match field.maxlength {
        Some(max) if max > 0.0 && text.chars().count() as f64 > max => Err(format!("at most {max} characters")),
        _ => Ok(()),
    }
}

fn number(field: &Field, value: &Value) -> Checked {
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
    .ok_or_else(|| "must be a number".to_owned())?;
    if let Some(min) = field.min
        && n < min
    {
        return Err(format!("must be at least {min}"));
    }
    if let Some(max) = field.max
        && n > max
    {
        return Err(format!("must be at most {max}"));
    }
    if let Some(step) = field.step.filter(|s| *s > 0.0) {
        let steps = (n - field.min.unwrap_or(0.0)) / step;
        if (steps - steps.round()).abs() > 1e-9 {
            return Err(format!("must be a multiple of {step}"));
        }
    }
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Ok(json!(n as i64))
    } else {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
}

fn email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

fn url(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !text.chars().any(char::is_whitespace)
    })
}

fn uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `20240131` or `2024-01-31` to `20240131`.
fn date(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) || (text.len() != 8 && text.len() != 10) {
        return None;
    }
    let year: u32 = digits[0..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..8].parse().ok()?;
    (day >= 1 && day <= days_in(year, month)).then_some(digits)
}

/// `13:05` or `13:05:09` to `13:05:09`.
fn time(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u32>().ok());
    let (h, m, s) = (n(0)?, n(1)?, n(2)?);
    (h < 24 && m < 60 && s < 60).then(|| format!("{h:02}:{m:02}:{s:02}"))
}

fn choice(field: &Field, value: &Value) -> Checked {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return Err("must be one of the choices".into()),
    };
    if field.choices.contains(&text) {
        Ok(Value::String(text))
    } else {
        Err(format!("{text:?} is not one of the choices"))
    }
}

fn list(value: &Value) -> Result<&Vec<Value>, String> {
    value.as_array().ok_or_else(|| "must be a list".to_owned())
}

fn count(field: &Field, n: usize, what: &str) -> Result<(), String> {
    if let Some(min) = field.min
        && (n as f64) < min
    {
        return Err(format!("at least {min} {what}"));
    }
    if let Some(max) = field.max.filter(|m| *m > 0.0)
        && n as f64 > max
    {
        return Err(format!("at most {max} {what}"));
    }
    Ok(())
}

/// One id (a post, term, user or media item: UUIDs here), or a list of them.
fn ids(field: &Field, value: &Value, many: bool, what: &str) -> Checked {
    let one = |v: &Value| match v.as_str() {
        Some(id) if uuid(id) => Ok(Value::String(id.to_ascii_lowercase())),
        _ => Err(format!("must be {what} id")),
    };
    if many {
        let items = list(value)?;
        count(field, items.len(), "items")?;
        items.iter().map(one).collect::<Result<Vec<_>, _>>().map(Value::Array)
    } else {
        one(value)
    }
}

/// Checks and normalises a non-empty value of a scalar field type (not group, repeater,
/// flexible_content or clone, which `crate::fields` walks).
pub fn check(field: &Field, value: &Value) -> Checked {
    match field.field_type.as_str() {
        "text" | "textarea" | "password" => {
            let text = string(value)?;
            max_length(field, text)?;
            Ok(Value::String(text.to_owned()))
        }
        "wysiwyg" => {
            let text = string(value)?;
            max_length(field, text)?;
            Ok(Value::String(ammonia::clean(text)))
        }
        "number" | "range" => number(field, value),
        "email" => {
            let text = string(value)?.trim();
            if email(text) {
                Ok(Value::String(text.to_owned()))
            } else {
                Err("must be an email address".into())
            }
        }
        "url" => {
            let text = string(value)?.trim();
            if url(text) {
                Ok(Value::String(text.to_owned()))
            } else {
                Err("must be an http or https URL".into())
            }
        }
        "select" if field.multiple => {
            let items = list(value)?;
            items
                .iter()
                .map(|v| choice(field, v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        "select" | "radio" | "button_group" => choice(field, value),
        "checkbox" => {
            let items = match value {
                Value::Array(items) => items.clone(),
                single => vec![single.clone()],
            };
            items
                .iter()
                .map(|v| choice(field, v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        "true_false" => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::Number(n) if n.as_f64() == Some(0.0) || n.as_f64() == Some(1.0) => {
                Ok(Value::Bool(n.as_f64() == Some(1.0)))
            }
            Value::String(s) if s == "0" || s == "1" => Ok(Value::Bool(s == "1")),
            _ => Err("must be true or false".into()),
        },
        "date_picker" => date(string(value)?.trim())
            .map(Value::String)
            .ok_or_else(|| "must be a date (YYYYMMDD or YYYY-MM-DD)".into()),
        "date_time_picker" => {
            let text = string(value)?.trim();
            let (d, t) = text
                .split_once([' ', 'T'])
                .ok_or("must be a date and time (YYYY-MM-DD HH:MM:SS)")?;
            let (Some(d), Some(t)) = (date(d).filter(|_| d.len() == 10), time(t)) else {
                return Err("must be a date and time (YYYY-MM-DD HH:MM:SS)".into());
            };
            Ok(Value::String(format!("{}-{}-{} {t}", &d[0..4], &d[4..6], &d[6..8])))
        }
        "time_picker" => time(string(value)?.trim())
            .map(Value::String)
            .ok_or_else(|| "must be a time (HH:MM:SS)".into()),
        "color_picker" => {
            let text = string(value)?.trim().to_ascii_lowercase();
            let hex = text.strip_prefix('#').unwrap_or("");
            if (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                Ok(Value::String(text))
            } else {
                Err("must be a colour (#rgb or #rrggbb)".into())
            }
        }
        "link" => {
            let link = value.as_object().ok_or("must be a link: {url, title, target}")?;
            let address = link.get("url").and_then(Value::as_str).unwrap_or("");
            if !url(address) && !address.starts_with('/') {
                return Err("the link's url must be an http or https URL, or a path".into());
            }
            let target = link.get("target").and_then(Value::as_str).unwrap_or("");
            if !matches!(target, "" | "_blank") {
                return Err("the link's target must be empty or _blank".into());
            }
            let title = link.get("title").and_then(Value::as_str).unwrap_or("");
            Ok(json!({"url": address, "title": title, "target": target}))
        }
        "post_object" => ids(field, value, field.multiple, "a post"),
        "relationship" => ids(field, value, true, "a post"),
        "taxonomy" => ids(field, value, value.is_array(), "a term"),
        "user" => ids(field, value, field.multiple, "a user"),
        "image" => ids(field, value, false, "an image (media)"),
        "file" => ids(field, value, false, "a file (media)"),
        "gallery" => ids(field, value, true, "an image (media)"),
        other => Err(format!("the field type {other:?} is unknown")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(date("2024-02-29").as_deref(), Some("20240229"));
        assert_eq!(date("20230229"), None);
        assert_eq!(date("2024-13-01"), None);
        assert_eq!(date("2024-1-01"), None);
        assert_eq!(time("07:05").as_deref(), Some("07:05:00"));
        assert_eq!(time("24:00"), None);
    }

    #[test]
    fn addresses() {
        assert!(email("a.b@example.org"));
        assert!(!email("a@b"));
        assert!(!email("a b@example.org"));
        assert!(url("https://example.org/x?y"));
        assert!(!url("javascript:alert(1)"));
        assert!(!url("https://"));
    }
}
