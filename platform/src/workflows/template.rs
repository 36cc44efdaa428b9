//! Workflow templates: a titled, typed sequence of steps a workflow is built from. Checked
//! once, where a template enters the platform (built-in, a tenant's, a plugin's), so the rest
//! of the domain can trust its shape.

use serde_json::Value;

/// Seed 001's workflow types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowType {
    Procurement,
    Onboarding,
    Offboarding,
    Repair,
    /// For templates of other kinds (a medical review, an admission): the tenant's or a
    /// plugin's.
    Other,
}

impl WorkflowType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Procurement => "procurement",
            Self::Onboarding => "onboarding",
            Self::Offboarding => "offboarding",
            Self::Repair => "repair",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

/// Who a step is for: holders of a role, or the members of a team (tenant data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Role(String),
    Team(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepTemplate {
    pub name: String,
    pub description: String,
    pub instructions: String,
    pub assignee: Option<Assignee>,
    pub estimated_hours: u32,
    /// A JSON Schema of the data the step collects, checked when the step is advanced.
    pub data_schema: Option<Value>,
    /// Advancing it needs a user with the right to approve, never the one who did the
    /// step before.
    pub needs_approval: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub key: String,
    pub title: String,
    pub workflow_type: WorkflowType,
    pub priority: Priority,
    pub description: String,
    pub estimated_duration_days: u32,
    /// In order: a step's number is its place here, from 1.
    pub steps: Vec<StepTemplate>,
}

/// Limits of a template (named in the docs once the API exists).
pub const MAX_STEPS: usize = 50;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 10_000;
pub const MAX_DURATION_DAYS: u32 = 365;

/// What is wrong with a template: the field, as a JSON pointer into its document, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    pub field: String,
    pub message: &'static str,
}

/// A template's key: 1 to 64 of a-z, 0-9 and _, starting with a letter.
pub fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Template {
    /// Every problem at once; none for a template the platform can run.
    pub fn problems(&self) -> Vec<TemplateProblem> {
        let mut problems = Vec::new();
        let mut problem = |field: String, message| problems.push(TemplateProblem { field, message });
        if !valid_key(&self.key) {
            problem("/key".into(), "1 to 64 of a-z, 0-9 and _, starting with a letter");
        }
        if !text_fits(&self.title, 1, MAX_TITLE_CHARS) {
            problem("/title".into(), "1 to 200 characters");
        }
        if !text_fits(&self.description, 0, MAX_TEXT_CHARS) {
            problem("/description".into(), "at most 10,000 characters");
        }
        if !(1..=MAX_DURATION_DAYS).contains(&self.estimated_duration_days) {
            problem("/estimated_duration_days".into(), "1 to 365 days");
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            problem("/steps".into(), "1 to 50 steps");
        }
        for (i, step) in self.steps.iter().enumerate() {
            if !text_fits(&step.name, 1, MAX_TITLE_CHARS) {
                problem(format!("/steps/{i}/name"), "1 to 200 characters");
            }
            if !text_fits(&step.description, 0, MAX_TEXT_CHARS) || !text_fits(&step.instructions, 0, MAX_TEXT_CHARS) {
                problem(
                    format!("/steps/{i}"),
                    "description and instructions: at most 10,000 characters each",
                );
            }
            if step.data_schema.as_ref().is_some_and(|schema| !schema.is_object()) {
                problem(format!("/steps/{i}/data_schema"), "a JSON Schema object");
            }
        }
        problems
    }
}

fn text_fits(text: &str, min: usize, max: usize) -> bool {
    let chars = text.trim().chars().count();
    (min..=max).contains(&chars) && !text.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str) -> StepTemplate {
        StepTemplate {
            name: name.into(),
            description: String::new(),
            instructions: String::new(),
            assignee: None,
            estimated_hours: 1,
            data_schema: None,
            needs_approval: false,
        }
    }

    fn template() -> Template {
        Template {
            key: "admission".into(),
            title: "Admission".into(),
            workflow_type: WorkflowType::Other,
            priority: Priority::Normal,
            description: String::new(),
            estimated_duration_days: 1,
            steps: vec![step("Register")],
        }
    }

    #[test]
    fn a_sound_template_has_no_problems() {
        assert!(template().problems().is_empty());
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let mut bad = template();
        bad.key = "Bad Key".into();
        bad.title = "  ".into();
        bad.estimated_duration_days = 0;
        bad.steps = vec![
            step(""),
            StepTemplate {
                data_schema: Some(Value::Bool(true)),
                ..step("x")
            },
        ];
        let fields: Vec<String> = bad.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "/key",
                "/title",
                "/estimated_duration_days",
                "/steps/0/name",
                "/steps/1/data_schema"
            ]
        );
        bad.steps = Vec::new();
        assert!(bad.problems().iter().any(|p| p.field == "/steps"));
    }
}
