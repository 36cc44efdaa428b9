//! The four templates of seed 001, shipped with every tenant. The seed names the steps of
//! `incoming_hardware` and `new_employee` and gives every template's size, duration and type;
//! the step names of `equipment_return` and `emergency_replacement`, the estimates, the
//! assignee roles (seed 002's) and the approval steps are ours.

use super::template::{Assignee, Priority, StepTemplate, Template, WorkflowType};

/// (name, assignee role, estimated hours, needs approval)
type StepLine = (&'static str, &'static str, u32, bool);

const INCOMING_HARDWARE: [StepLine; 8] = [
    ("Receive Shipment", "operations", 1, false),
    ("Initial Inspection", "operations", 1, false),
    ("Asset Registration", "operations", 1, false),
    ("Configuration & Setup", "technical_team", 4, false),
    ("Quality Assurance Testing", "technical_team", 2, true),
    ("Assignment & Deployment", "operations", 2, false),
    ("User Onboarding", "technical_team", 1, false),
    ("Follow-up & Documentation", "operations", 1, false),
];

const NEW_EMPLOYEE: [StepLine; 9] = [
    ("Pre-Onboarding Preparation", "operations", 2, false),
    ("Account Provisioning", "technical_team", 2, false),
    ("Software License Assignment", "technical_team", 1, true),
    ("Hardware Setup", "technical_team", 3, false),
    ("Day 1 - Welcome & Access", "operations", 2, false),
    ("Day 1 - IT Orientation", "technical_team", 2, false),
    ("Week 1 - Application Access", "technical_team", 2, false),
    ("Week 1 - Training", "operations", 4, false),
    ("Week 1 - Follow-up", "workflow_manager", 1, false),
];

const EQUIPMENT_RETURN: [StepLine; 6] = [
    ("Schedule Return", "operations", 1, false),
    ("Collect Equipment", "operations", 1, false),
    ("Inspect Condition", "technical_team", 1, false),
    ("Back Up and Wipe Data", "technical_team", 2, false),
    ("Verify Wipe", "workflow_manager", 1, true),
    ("Update Asset Records", "operations", 1, false),
];

const EMERGENCY_REPLACEMENT: [StepLine; 5] = [
    ("Triage the Failure", "technical_team", 1, false),
    ("Approve Replacement", "workflow_manager", 1, true),
    ("Provision Replacement", "technical_team", 2, false),
    ("Migrate User Data", "technical_team", 2, false),
    ("Retire Failed Device", "operations", 1, false),
];

fn steps(lines: &[StepLine]) -> Vec<StepTemplate> {
    lines
        .iter()
        .map(|&(name, role, hours, approval)| StepTemplate {
            name: name.to_owned(),
            description: String::new(),
            instructions: String::new(),
            assignee: Some(Assignee::Role(role.to_owned())),
            estimated_hours: hours,
            data_schema: None,
            needs_approval: approval,
        })
        .collect()
}

fn template(
    key: &str,
    title: &str,
    workflow_type: WorkflowType,
    priority: Priority,
    days: u32,
    lines: &[StepLine],
) -> Template {
    Template {
        key: key.to_owned(),
        title: title.to_owned(),
        workflow_type,
        priority,
        description: String::new(),
        estimated_duration_days: days,
        steps: steps(lines),
    }
}

/// The built-in templates, in the seed's order.
pub fn builtin_templates() -> Vec<Template> {
    use Priority::*;
    use WorkflowType::*;
    vec![
        template(
            "incoming_hardware",
            "Incoming hardware",
            Procurement,
            Normal,
            3,
            &INCOMING_HARDWARE,
        ),
        template("new_employee", "New employee", Onboarding, High, 7, &NEW_EMPLOYEE),
        template(
            "equipment_return",
            "Equipment return",
            Offboarding,
            Normal,
            2,
            &EQUIPMENT_RETURN,
        ),
        template(
            "emergency_replacement",
            "Emergency replacement",
            Repair,
            Urgent,
            1,
            &EMERGENCY_REPLACEMENT,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_sizes_durations_and_types() {
        let shape: Vec<(String, usize, u32, &str)> = builtin_templates()
            .into_iter()
            .map(|t| {
                (
                    t.key,
                    t.steps.len(),
                    t.estimated_duration_days,
                    t.workflow_type.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("incoming_hardware".to_owned(), 8, 3, "procurement"),
                ("new_employee".to_owned(), 9, 7, "onboarding"),
                ("equipment_return".to_owned(), 6, 2, "offboarding"),
                ("emergency_replacement".to_owned(), 5, 1, "repair"),
            ]
        );
    }

    #[test]
    fn the_seed_step_names() {
        let names = |key: &str| -> Vec<String> {
            let template = builtin_templates()
                .into_iter()
                .find(|t| t.key == key)
                .expect("built in");
            template.steps.into_iter().map(|s| s.name).collect()
        };
        assert_eq!(names("incoming_hardware")[0], "Receive Shipment");
        assert_eq!(names("incoming_hardware")[7], "Follow-up & Documentation");
        assert_eq!(names("new_employee")[4], "Day 1 - Welcome & Access");
        assert_eq!(names("new_employee")[8], "Week 1 - Follow-up");
    }

    #[test]
    fn every_builtin_is_a_sound_template_assigned_to_a_seed_role() {
        const SEED_ROLES: [&str; 8] = [
            "admin",
            "workflow_manager",
            "underwriter",
            "operations",
            "credit_team",
            "legal_team",
            "technical_team",
            "viewer",
        ];
        for template in builtin_templates() {
            assert_eq!(template.problems(), Vec::new(), "{}", template.key);
            for step in &template.steps {
                let Some(Assignee::Role(role)) = &step.assignee else {
                    panic!("{} has a step for nobody", template.key)
                };
                assert!(SEED_ROLES.contains(&role.as_str()), "{role}");
            }
        }
    }
}
