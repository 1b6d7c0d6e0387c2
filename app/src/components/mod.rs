//! Reusable pieces in the NHS.UK design system's markup: layout, form fields, messages.

pub mod form;
pub mod layout;
