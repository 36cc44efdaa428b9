//! Checking a tenant's plugin configuration against the plugin's JSON Schema. Schemas may not
//! fetch anything: `$ref` to files or URLs does not resolve (the crate is built without it).

use crate::http::FieldError;
use serde_json::Value;

/// Most problems reported for one configuration.
const MAX_REPORTED: usize = 50;

/// The configuration's problems, one per failed rule, with the path of the offending value.
pub fn check(schema: &Value, config: &Value) -> Result<(), Vec<FieldError>> {
    let validator = jsonschema::validator_for(schema).map_err(|e| {
        vec![FieldError {
            field: "config".into(),
            message: format!("the plugin's own schema is not usable: {e}"),
        }]
    })?;
    let problems: Vec<FieldError> = validator
        .iter_errors(config)
        .take(MAX_REPORTED)
        .map(|error| {
            let path = error.instance_path().to_string();
            FieldError {
                field: format!("config{path}"),
                message: error.to_string(),
            }
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_paths() {
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}, "additionalProperties": false});
        assert!(check(&schema, &json!({"n": 2})).is_ok());
        let problems = check(&schema, &json!({"n": 5, "x": 1})).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().any(|p| p.field == "config/n"), "{problems:?}");
    }
}
