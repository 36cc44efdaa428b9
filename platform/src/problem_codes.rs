//! Problem codes: the stable `code` of every error answer, one enum per domain. Each variant
//! carries its HTTP status and a doc comment saying when it is answered; `docs/problems.md`
//! is generated from those comments (`problems_page`, `platform problems`), and a test fails
//! when it is stale.
//! Domain code names a variant (`UserCode::UserNotFound`); the HTTP face turns it into a
//! problem (`ApiError::of`). Knows nothing of HTTP beyond the status number.

/// One code as the documentation lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    pub status: u16,
    pub code: &'static str,
    /// The variant's doc comment: when the code is answered.
    pub when: &'static str,
}

/// A problem code of one domain.
pub trait ProblemCode: Copy {
    /// Every code of the domain, for the documentation.
    const ALL: &'static [CodeDoc];
    /// The domain, as the documentation names it.
    const DOMAIN: &'static str;
    fn status(self) -> u16;
    fn code(self) -> &'static str;
}

/// Declares a domain's codes: `Variant = (status, "code")`, each with a doc comment.
macro_rules! problem_codes {
    (
        $(#[doc = $enum_doc:literal])*
        pub enum $name:ident in $domain:literal {
            $( $(#[doc = $doc:literal])+ $variant:ident = ($status:literal, $code:literal), )+
        }
    ) => {
        $(#[doc = $enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant, )+
        }

        // Every code is an error status.
        $( const _: () = assert!($status >= 400 && $status < 600, concat!($code, ": not an error status")); )+

        impl $crate::problem_codes::ProblemCode for $name {
            const ALL: &'static [$crate::problem_codes::CodeDoc] = &[
                $( $crate::problem_codes::CodeDoc {
                    status: $status,
                    code: $code,
                    when: concat!($($doc, "\n"),+),
                }, )+
            ];
            const DOMAIN: &'static str = $domain;

            fn status(self) -> u16 {
                match self { $( Self::$variant => $status, )+ }
            }

            fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )+ }
            }
        }
    };
}
pub(crate) use problem_codes;
