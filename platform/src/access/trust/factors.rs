//! The trust score: eight weighted factors of the seed's policy evaluation, 100 in all.
//! Pure functions of what was observed, so they are tested without a database.

use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// How much harm misuse of a resource would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Low,
    Medium,
    /// Patient data and anything that changes who may see it.
    High,
}

/// What was observed about the request, its session and its user.
#[derive(Debug, Clone)]
pub struct Observations {
    pub mfa: bool,
    /// This user agent signed in as this user before this session.
    pub known_device: bool,
    pub session_age: Duration,
    /// Failed sign-ins from the request's IP in the last hour, on this tenant.
    pub ip_failures_last_hour: i64,
    /// The request comes from the IP and user agent the session was opened from.
    pub same_ip: bool,
    pub same_agent: bool,
    pub sensitivity: Sensitivity,
    /// Hour of the day in the tenant's time zone.
    pub local_hour: u32,
    pub account_age_days: i64,
    /// Failed sign-ins of this account in the last 7 days.
    pub account_failures_last_week: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactorScore {
    /// `authentication`, `known_device`, `session_age`, `ip_reputation`, `behaviour`,
    /// `resource_sensitivity`, `time_of_day`, `history`.
    pub factor: &'static str,
    pub weight: u8,
    pub earned: u8,
    /// What would raise it, when it is not full.
    pub advice: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrustScore {
    /// 0 to 100.
    pub total: u8,
    pub factors: Vec<FactorScore>,
}

fn factor(factor: &'static str, weight: u8, earned: u8, advice: &'static str) -> FactorScore {
    let earned = earned.min(weight);
    FactorScore {
        factor,
        weight,
        earned,
        advice: (earned < weight).then_some(advice),
    }
}

pub fn score(o: &Observations) -> TrustScore {
    let hours = o.session_age.as_secs() / 3600;
    let factors = vec![
        factor(
            "authentication",
            30,
            if o.mfa { 30 } else { 0 },
            "enable MFA and sign in with a code",
        ),
        factor(
            "known_device",
            15,
            if o.known_device { 15 } else { 0 },
            "use a device you have signed in from before",
        ),
        factor(
            "session_age",
            10,
            match hours {
                0 => 10,
                1..=3 => 5,
                _ => 0,
            },
            "sign in again: the session is old",
        ),
        factor(
            "ip_reputation",
            10,
            match o.ip_failures_last_hour {
                0 => 10,
                1..=4 => 5,
                _ => 0,
            },
            "use a network without recent failed sign-ins",
        ),
        factor(
            "behaviour",
            10,
            match (o.same_ip, o.same_agent) {
                (true, true) => 10,
                (true, false) | (false, true) => 5,
                (false, false) => 0,
            },
            "sign in again from this network and browser",
        ),
        factor(
            "resource_sensitivity",
            15,
            match o.sensitivity {
                Sensitivity::Low => 15,
                Sensitivity::Medium => 8,
                Sensitivity::High => 0,
            },
            "sensitive resources need more of the other factors",
        ),
        factor(
            "time_of_day",
            5,
            if (6..22).contains(&o.local_hour) { 5 } else { 0 },
            "act within working hours (06:00 to 22:00)",
        ),
        factor(
            "history",
            5,
            match (o.account_age_days >= 30, o.account_failures_last_week == 0) {
                (true, true) => 5,
                (true, false) | (false, true) => 2,
                (false, false) => 0,
            },
            "an established account without recent failed sign-ins",
        ),
    ];
    let total = factors.iter().map(|f| u32::from(f.earned)).sum::<u32>().min(100) as u8;
    TrustScore { total, factors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best() -> Observations {
        Observations {
            mfa: true,
            known_device: true,
            session_age: Duration::from_secs(60),
            ip_failures_last_hour: 0,
            same_ip: true,
            same_agent: true,
            sensitivity: Sensitivity::Low,
            local_hour: 10,
            account_age_days: 400,
            account_failures_last_week: 0,
        }
    }

    #[test]
    fn weights_add_up_to_one_hundred() {
        let s = score(&best());
        assert_eq!(s.total, 100);
        assert_eq!(s.factors.iter().map(|f| u32::from(f.weight)).sum::<u32>(), 100);
        assert!(s.factors.iter().all(|f| f.advice.is_none()));
    }

    #[test]
    fn each_factor_lowers_the_score_and_says_how_to_raise_it() {
        let worst = Observations {
            mfa: false,
            known_device: false,
            session_age: Duration::from_secs(5 * 3600),
            ip_failures_last_hour: 9,
            same_ip: false,
            same_agent: false,
            sensitivity: Sensitivity::High,
            local_hour: 3,
            account_age_days: 1,
            account_failures_last_week: 3,
        };
        let s = score(&worst);
        assert_eq!(s.total, 0);
        assert!(s.factors.iter().all(|f| f.advice.is_some()));
        let no_mfa = score(&Observations { mfa: false, ..best() });
        assert_eq!(no_mfa.total, 70);
        assert_eq!(no_mfa.factors[0].advice, Some("enable MFA and sign in with a code"));
        assert_eq!(
            score(&Observations {
                sensitivity: Sensitivity::Medium,
                ..best()
            })
            .total,
            93
        );
    }
}
