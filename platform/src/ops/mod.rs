//! The operator API, served only on the bare base domain: its HTTP face is `routes/`.

pub mod codes;
pub mod operators;
pub mod rewrap;
pub mod routes;
pub mod views;
