//! A workflow's status and the transitions between them (seed 001's state machine):
//! `pending -> in_progress` (start), `in_progress -> completed` (complete, once every required
//! step is done), `pending | in_progress -> cancelled` (cancel, with a reason), and
//! `completed -> archived` (after the tenant's archiving age). Nothing else moves.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkflowStatus {
    Pending,
    InProgress,
    Completed,
    Cancelled,
    Archived,
}

impl WorkflowStatus {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
        Self::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether the workflow still counts as open work (reminded when overdue, shown to its
    /// assignees).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::InProgress)
    }

    /// Where `transition` takes a workflow in this status, or why it cannot.
    pub fn after(self, transition: Transition) -> Result<Self, IllegalTransition> {
        let next = match (self, transition) {
            (Self::Pending, Transition::Start) => Self::InProgress,
            (Self::InProgress, Transition::Complete) => Self::Completed,
            (Self::Pending | Self::InProgress, Transition::Cancel) => Self::Cancelled,
            (Self::Completed, Transition::Archive) => Self::Archived,
            _ => return Err(IllegalTransition { from: self, transition }),
        };
        Ok(next)
    }
}

impl fmt::Display for WorkflowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a user (or the archiving job) asks of a workflow as a whole. Advancing a step keeps
/// the workflow `in_progress` and is not a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Start,
    Complete,
    Cancel,
    Archive,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
            Self::Archive => "archive",
        }
    }
}

/// A transition the current status does not allow; the statuses it does allow from here are
/// named, so the answer can say what would work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} workflow cannot {}", transition.as_str())]
pub struct IllegalTransition {
    pub from: WorkflowStatus,
    pub transition: Transition,
}

impl IllegalTransition {
    /// The transitions that would be allowed from `from`.
    pub fn allowed(&self) -> Vec<Transition> {
        [
            Transition::Start,
            Transition::Complete,
            Transition::Cancel,
            Transition::Archive,
        ]
        .into_iter()
        .filter(|t| self.from.after(*t).is_ok())
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Transition::*;
    use WorkflowStatus::*;

    #[test]
    fn the_seed_state_machine_and_nothing_else() {
        let allowed = [
            (Pending, Start, InProgress),
            (InProgress, Complete, Completed),
            (Pending, Cancel, Cancelled),
            (InProgress, Cancel, Cancelled),
            (Completed, Archive, Archived),
        ];
        for from in WorkflowStatus::ALL {
            for transition in [Start, Complete, Cancel, Archive] {
                let expected = allowed
                    .iter()
                    .find(|(f, t, _)| *f == from && *t == transition)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    from.after(transition).ok(),
                    expected,
                    "{from} + {}",
                    transition.as_str()
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_what_would_work() {
        let refused = Pending.after(Complete).unwrap_err();
        assert_eq!(refused.to_string(), "a pending workflow cannot complete");
        assert_eq!(refused.allowed(), vec![Start, Cancel]);
        assert!(Archived.after(Cancel).unwrap_err().allowed().is_empty());
    }

    #[test]
    fn statuses_round_trip_and_open_means_pending_or_in_progress() {
        for status in WorkflowStatus::ALL {
            assert_eq!(WorkflowStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(WorkflowStatus::parse("done"), None);
        let open: Vec<_> = WorkflowStatus::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, vec![Pending, InProgress]);
    }
}
