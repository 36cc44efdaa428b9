//! Workflows (issue 14, in progress): multi-step operational workflows each tenant runs,
//! built from templates and advanced through a state machine. So far the model: the statuses
//! and their transitions, and templates with the four built-ins of seed 001. Storage, the API,
//! teams, scheduled jobs and plugin hooks follow.

pub mod builtin_templates;
pub mod status;
pub mod template;
