//! Enums whose variants each carry a stable code (stored in the database, posted by forms) and
//! a label (what people read), declared once with [`coded_enum!`].

/// Declares an enum with a code and a label per variant, and gives it `ALL`, `code`, `label`,
/// `from_code` and `parse_code`. With the `ssr` feature the enum is also a SeaORM `ActiveEnum`
/// stored as its code, so an entity's column holds the enum itself: a row with a code the
/// enum does not know fails to load, it never turns into a default.
///
/// ```ignore
/// coded_enum! {
///     /// Whether a pathway is running in the pilot or has asked to join.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
///     pub enum PathwayStatus {
///         Active = "active", "In the pilot";
///         Joining = "joining", "Asked to join";
///     }
/// }
/// ```
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal, $label:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $code))]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: [$name; [$($code),+].len()] = [$(Self::$variant),+];

            /// The stable code stored in the database and posted by forms.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// What people read.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// The variant with exactly this code.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.code() == code)
            }

            /// The variant a form posted (surrounding spaces ignored), or the message to show
            /// beside the field: `missing` when nothing was chosen, `unknown` otherwise.
            #[allow(dead_code)]
            fn parse_code(raw: &str, missing: &str, unknown: &str) -> Result<Self, String> {
                match raw.trim() {
                    "" => Err(missing.to_owned()),
                    code => Self::from_code(code).ok_or_else(|| unknown.to_owned()),
                }
            }
        }
    };
}

pub(crate) use coded_enum;
