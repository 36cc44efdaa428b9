//! The JSON Schema of the plugin's configuration, which the platform checks before storing
//! it: the shape of ACF's local JSON, with every field type we support.

use serde_json::{Value, json};

pub fn config_schema() -> Value {
    let rule = json!({
        "type": "object",
        "required": ["param", "operator"],
        "properties": {
            "param": {"enum": ["post_type", "post_status", "post_template", "page_template", "page_parent",
                               "post_parent", "post_taxonomy", "post_category", "user_role", "current_user_role"]},
            "operator": {"enum": ["==", "!="]},
            "value": {"type": ["string", "number"]}
        }
    });
    let condition = json!({
        "type": "object",
        "required": ["field", "operator"],
        "properties": {
            "field": {"type": "string"},
            "operator": {"enum": ["==", "!=", "==empty", "!=empty", "==pattern", "==contains"]},
            "value": {"type": ["string", "number", "boolean"]}
        }
    });
    let mut types: Vec<&str> = crate::types::TYPES.to_vec();
    types.push("clone");
    let flag = json!({"type": ["boolean", "integer", "string"]});
    let number = json!({"type": ["number", "string"]});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "field_groups": {"type": "array", "maxItems": 200, "items": {"$ref": "#/$defs/group"}}
        },
        "$defs": {
            "group": {
                "type": "object",
                "required": ["key", "title", "fields"],
                "properties": {
                    "key": {"type": "string", "minLength": 1, "maxLength": 64},
                    "title": {"type": "string", "maxLength": 200},
                    "fields": {"type": "array", "maxItems": 200, "items": {"$ref": "#/$defs/field"}},
                    "location": {"type": "array", "items": {"type": "array", "items": rule}},
                    "menu_order": {"type": "integer"},
                    "active": flag,
                    "show_in_rest": flag
                }
            },
            "field": {
                "type": "object",
                "required": ["key", "name", "type"],
                "properties": {
                    "key": {"type": "string", "minLength": 1, "maxLength": 64},
                    "label": {"type": "string"},
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{0,64}$"},
                    "type": {"enum": types},
                    "required": flag,
                    "min": number, "max": number, "step": number, "maxlength": number,
                    "choices": {"type": ["object", "array"]},
                    "multiple": flag,
                    "allow_null": flag,
                    "sensitive": flag,
                    "prefix_name": flag,
                    "conditional_logic": {
                        "anyOf": [
                            {"type": "array", "items": {"type": "array", "items": condition}},
                            {"type": ["boolean", "integer", "string"]}
                        ]
                    },
                    "sub_fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
                    "layouts": {
                        "type": ["array", "object"],
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {"sub_fields": {"type": "array", "items": {"$ref": "#/$defs/field"}}}
                        }
                    },
                    "clone": {"type": "array", "items": {"type": "string"}}
                }
            }
        }
    })
}
