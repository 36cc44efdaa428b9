//! The platform: HTTP API for tenants and operators, and the `platform` CLI.

pub mod access;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod content;
pub mod hooks;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod media;
pub mod openapi;
pub mod ops;
pub mod plugins;
pub mod problem_codes;
pub mod problems_page;
pub mod roles;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod users;
pub mod workflows;
