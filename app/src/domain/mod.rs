//! Domain types that can only be built valid. Forms become commands only through these parsers,
//! which compile for the browser and the server alike and return the message a user should see.

mod email;
mod ods_code;
mod pay_band;
mod registration;
mod staff_group;
mod team;
mod text;

pub use email::EmailAddress;
pub use ods_code::OdsCode;
pub use pay_band::PayBand;
pub use registration::RegistrationBody;
pub use staff_group::StaffGroup;
pub use team::{MinimumCover, NewTeam, NewTeamInput, TeamName};
pub use text::BoundedText;
