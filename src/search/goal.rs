//! What a search wants: an objective and limits, their text form, and how two
//! evaluated networks compare under them.
//!
//! ```text
//! GOAL  := OBJECTIVE (',' LIMIT)*
//! OBJECTIVE := 'max-accuracy' | 'min-' COST | 'pareto-' COST
//! COST  := latency | energy | area | memory | edp | edap
//! LIMIT := ('latency' | 'energy' | 'area' | 'memory') '<=' NUMBER UNIT?
//!        | ('accuracy' | 'degree') '>=' NUMBER
//! ```
//! Units are fixed (a unit suffix, if written, must be this one): latency ms,
//! energy mJ, area mm², memory MiB; accuracy is a fraction, degree NN-Degree.

use crate::error::{Error, Result};
use serde::Serialize;

/// A hardware cost a goal can minimize or trade accuracy against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    Latency,
    Energy,
    Area,
    Memory,
    /// Energy × delay (J·s).
    Edp,
    /// Energy × delay × area (J·s·mm²).
    Edap,
}

impl Cost {
    pub const ALL: [Cost; 6] =
        [Cost::Latency, Cost::Energy, Cost::Area, Cost::Memory, Cost::Edp, Cost::Edap];

    /// This cost of a network from its latency (s), energy (J), area (mm²) and memory (bytes).
    #[inline]
    pub fn of(self, latency_s: f64, energy_j: f64, area_mm2: f64, memory_bytes: f64) -> f64 {
        match self {
            Cost::Latency => latency_s,
            Cost::Energy => energy_j,
            Cost::Area => area_mm2,
            Cost::Memory => memory_bytes,
            Cost::Edp => energy_j * latency_s,
            Cost::Edap => energy_j * latency_s * area_mm2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Cost::Latency => "latency",
            Cost::Energy => "energy",
            Cost::Area => "area",
            Cost::Memory => "memory",
            Cost::Edp => "edp",
            Cost::Edap => "edap",
        }
    }

    /// The SI unit the search works in.
    pub fn si_unit(self) -> &'static str {
        match self {
            Cost::Latency => "s",
            Cost::Energy => "J",
            Cost::Area => "mm²",
            Cost::Memory => "bytes",
            Cost::Edp => "J·s",
            Cost::Edap => "J·s·mm²",
        }
    }

    /// Whether the cost needs silicon area (meaningless on fixed-silicon targets).
    pub fn uses_area(self) -> bool {
        matches!(self, Cost::Area | Cost::Edap)
    }

    /// The limit metric of a plain cost (`None` for the products EDP and EDAP).
    pub fn metric(self) -> Option<Metric> {
        match self {
            Cost::Latency => Some(Metric::Latency),
            Cost::Energy => Some(Metric::Energy),
            Cost::Area => Some(Metric::Area),
            Cost::Memory => Some(Metric::Memory),
            Cost::Edp | Cost::Edap => None,
        }
    }

    fn by_name(name: &str, at: usize) -> Result<Cost> {
        Cost::ALL.into_iter().find(|c| c.name() == name).ok_or_else(|| {
            Error::parse(
                "goal",
                at,
                format!("unknown cost '{name}': one of latency, energy, area, memory, edp, edap"),
            )
        })
    }
}

/// What the search optimizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "cost", rename_all = "kebab-case")]
pub enum Objective {
    /// The highest predicted accuracy (NN-Degree without a predictor) within the limits.
    MaxAccuracy,
    /// The lowest cost within the limits (typically an accuracy floor).
    MinCost(Cost),
    /// Every network no other beats in both accuracy and this cost, within the limits.
    Pareto(Cost),
}

/// A limit on one metric; user units as in the text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    Latency,
    Energy,
    Area,
    Memory,
    Accuracy,
    Degree,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Latency,
        Metric::Energy,
        Metric::Area,
        Metric::Memory,
        Metric::Accuracy,
        Metric::Degree,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Latency => "latency",
            Metric::Energy => "energy",
            Metric::Area => "area",
            Metric::Memory => "memory",
            Metric::Accuracy => "accuracy",
            Metric::Degree => "degree",
        }
    }

    /// The unit limits are written in.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Latency => "ms",
            Metric::Energy => "mJ",
            Metric::Area => "mm2",
            Metric::Memory => "MiB",
            Metric::Accuracy | Metric::Degree => "",
        }
    }

    /// User unit → the SI value the metrics carry.
    pub fn to_si(self, v: f64) -> f64 {
        match self {
            Metric::Latency | Metric::Energy => v * 1e-3,
            Metric::Memory => v * 1024.0 * 1024.0,
            Metric::Area | Metric::Accuracy | Metric::Degree => v,
        }
    }

    pub fn from_si(self, v: f64) -> f64 {
        match self {
            Metric::Latency | Metric::Energy => v * 1e3,
            Metric::Memory => v / (1024.0 * 1024.0),
            Metric::Area | Metric::Accuracy | Metric::Degree => v,
        }
    }

    /// Upper limits for costs, lower limits (floors) for accuracy and degree.
    pub fn is_floor(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::Degree)
    }

    /// Allowed values of a limit (user units): positive, finite, and within these.
    pub fn range(self) -> (f64, f64) {
        match self {
            Metric::Latency => (1e-9, 1e9),
            Metric::Energy => (1e-12, 1e9),
            Metric::Area => (1e-9, 1e6),
            Metric::Memory => (1e-6, 1e6),
            Metric::Accuracy => (1e-9, 1.0),
            Metric::Degree => (1e-9, 1e9),
        }
    }

    fn by_name(name: &str, at: usize) -> Result<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name).ok_or_else(|| {
            Error::parse("goal", at, format!("unknown limit '{name}': one of latency, energy, area, memory (<=), accuracy, degree (>=)"))
        })
    }
}

/// One limit: `metric <= value` (costs) or `metric >= value` (floors), user units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Limit {
    pub metric: Metric,
    pub value: f64,
}

impl Limit {
    /// Checks the value against the metric's range; the error names the field.
    pub fn new(metric: Metric, value: f64) -> Result<Limit> {
        let (lo, hi) = metric.range();
        if !value.is_finite() || value < lo || value > hi {
            let unit = if metric.unit().is_empty() {
                String::new()
            } else {
                format!(" {}", metric.unit())
            };
            let op = if metric.is_floor() { ">=" } else { "<=" };
            return Err(Error::field(
                format!("goal {}{op}", metric.name()),
                value,
                format!("a number in {lo}..={hi}{unit}"),
            ));
        }
        Ok(Limit { metric, value })
    }

    pub fn si(&self) -> f64 {
        self.metric.to_si(self.value)
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = if self.metric.is_floor() { ">=" } else { "<=" };
        write!(f, "{}{op}{}", self.metric.name(), self.value)
    }
}

/// A checked goal: an objective and at most one limit per metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Goal {
    pub objective: Objective,
    pub limits: Vec<Limit>,
}

impl Goal {
    pub fn max_accuracy(limits: Vec<Limit>) -> Goal {
        Goal { objective: Objective::MaxAccuracy, limits }
    }

    /// Parses and checks the text form.
    pub fn parse(text: &str) -> Result<Goal> {
        if text.len() > 512 {
            return Err(Error::field(
                "goal",
                format!("{} characters", text.len()),
                "at most 512 characters",
            ));
        }
        let mut parts = text.split(',');
        let head = parts.next().unwrap_or("").trim();
        let objective = if head == "max-accuracy" {
            Objective::MaxAccuracy
        } else if let Some(c) = head.strip_prefix("min-") {
            Objective::MinCost(Cost::by_name(c, 4)?)
        } else if let Some(c) = head.strip_prefix("pareto-") {
            let cost = Cost::by_name(c, 7)?;
            if cost.metric().is_none() {
                // The front is traced by limiting the cost, and only plain costs have limits.
                return Err(Error::parse(
                    "goal",
                    7,
                    format!(
                        "pareto-{c}: a front is traced against latency, energy, area or memory"
                    ),
                ));
            }
            Objective::Pareto(cost)
        } else {
            return Err(Error::parse(
                "goal",
                0,
                format!("'{head}' is not an objective: max-accuracy, min-COST or pareto-COST"),
            ));
        };
        let mut at = head.len() + 1;
        let mut limits: Vec<Limit> = Vec::new();
        for part in parts {
            let item = part.trim();
            let (name, rest, floor) = if let Some((n, r)) = item.split_once("<=") {
                (n.trim(), r.trim(), false)
            } else if let Some((n, r)) = item.split_once(">=") {
                (n.trim(), r.trim(), true)
            } else {
                return Err(Error::parse(
                    "goal",
                    at,
                    format!("'{item}' is not a limit: write e.g. latency<=2 (ms) or accuracy>=0.9"),
                ));
            };
            let metric = Metric::by_name(name, at)?;
            if metric.is_floor() != floor {
                let want = if metric.is_floor() { ">=" } else { "<=" };
                return Err(Error::parse("goal", at, format!("{name} takes {want}")));
            }
            let number = rest
                .strip_suffix(metric.unit())
                .filter(|_| !metric.unit().is_empty())
                .unwrap_or(rest)
                .trim();
            let value: f64 = number.parse().map_err(|_| {
                Error::parse(
                    "goal",
                    at,
                    format!(
                        "'{rest}' is not a number (in {})",
                        if metric.unit().is_empty() { "plain units" } else { metric.unit() }
                    ),
                )
            })?;
            if limits.iter().any(|l| l.metric == metric) {
                return Err(Error::parse("goal", at, format!("{name} is limited twice")));
            }
            limits.push(Limit::new(metric, value)?);
            at += part.len() + 1;
        }
        Ok(Goal { objective, limits })
    }

    pub fn limit(&self, metric: Metric) -> Option<f64> {
        self.limits.iter().find(|l| l.metric == metric).map(|l| l.si())
    }

    /// Whether predicted accuracy (or its NN-Degree proxy) enters the goal.
    pub fn uses_quality(&self) -> bool {
        !matches!(self.objective, Objective::MinCost(_))
            || self.limits.iter().any(|l| l.metric.is_floor())
    }

    /// The costs the objective and the limits read.
    pub fn costs_used(&self) -> Vec<Metric> {
        let mut used: Vec<Metric> = Vec::new();
        let mut add = |m: Metric| {
            if !used.contains(&m) {
                used.push(m)
            }
        };
        if let Objective::MinCost(c) | Objective::Pareto(c) = self.objective {
            match c {
                Cost::Latency => add(Metric::Latency),
                Cost::Energy => add(Metric::Energy),
                Cost::Area => add(Metric::Area),
                Cost::Memory => add(Metric::Memory),
                Cost::Edp => {
                    add(Metric::Latency);
                    add(Metric::Energy)
                }
                Cost::Edap => {
                    add(Metric::Latency);
                    add(Metric::Energy);
                    add(Metric::Area)
                }
            }
        }
        for l in &self.limits {
            if !l.metric.is_floor() {
                add(l.metric);
            }
        }
        used
    }
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.objective {
            Objective::MaxAccuracy => f.write_str("max-accuracy")?,
            Objective::MinCost(c) => write!(f, "min-{}", c.name())?,
            Objective::Pareto(c) => write!(f, "pareto-{}", c.name())?,
        }
        for l in &self.limits {
            write!(f, ",{l}")?;
        }
        Ok(())
    }
}

/// What one network scores under a goal. Lower `objective` is better.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub feasible: bool,
    /// Σ relative excess over the limits (0 when feasible).
    pub violation: f64,
    /// The minimized value: −accuracy (or −NN-Degree) or the cost in SI units.
    pub objective: f64,
    /// Breaks ties in `objective`: the cost (for accuracy goals) or −accuracy.
    pub tiebreak: f64,
}

/// Limits hold up to this relative slack, so that a sum taken in another order
/// (the exact search adds cells, the evaluator adds layers) agrees on feasibility.
pub const LIMIT_TOLERANCE: f64 = 1e-9;

impl Verdict {
    /// Whether `self` is strictly better than `other`: feasible first, then the
    /// objective, then the tiebreak; among infeasible ones the smaller violation.
    pub fn better_than(&self, other: &Verdict) -> bool {
        match (self.feasible, other.feasible) {
            (true, false) => true,
            (false, true) => false,
            (true, true) => (self.objective, self.tiebreak) < (other.objective, other.tiebreak),
            (false, false) => (self.violation, self.objective) < (other.violation, other.objective),
        }
    }

    /// [`better_than`](Self::better_than) as an ordering, the better first
    /// (`Equal` when neither is better), for sorting candidates.
    pub fn order(&self, other: &Verdict) -> std::cmp::Ordering {
        if self.better_than(other) {
            std::cmp::Ordering::Less
        } else if other.better_than(self) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_round_trip_and_bad_values_name_the_field() {
        for text in [
            "max-accuracy",
            "max-accuracy,latency<=2,energy<=0.5",
            "min-edap,accuracy>=0.9",
            "pareto-latency,area<=30",
            "min-energy,degree>=120",
        ] {
            assert_eq!(Goal::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Goal::parse("max-accuracy,latency<=2ms").unwrap().limits[0].value, 2.0);
        let e = Goal::parse("max-accuracy,latency<=-1").unwrap_err().to_string();
        assert!(e.contains("goal latency<=") && e.contains("ms"), "{e}");
        let e = Goal::parse("max-accuracy,latency<=NaN").unwrap_err().to_string();
        assert!(e.contains("goal latency<="), "{e}");
        let e = Goal::parse("max-accuracy,accuracy>=93").unwrap_err().to_string();
        assert!(e.contains("0.000000001..=1"), "{e}");
        assert!(Goal::parse("max-accuracy,latency>=2")
            .unwrap_err()
            .to_string()
            .contains("latency takes <="));
        assert!(Goal::parse("min-speed").unwrap_err().to_string().contains("unknown cost"));
        assert!(Goal::parse("max-accuracy,latency<=1,latency<=2")
            .unwrap_err()
            .to_string()
            .contains("twice"));
        assert!(Goal::parse("fastest").is_err());
        assert!(Goal::parse("pareto-edp")
            .unwrap_err()
            .to_string()
            .contains("latency, energy, area or memory"));
    }

    #[test]
    fn feasible_beats_infeasible_then_objective_then_tiebreak() {
        let v = |feasible, violation, objective, tiebreak| Verdict {
            feasible,
            violation,
            objective,
            tiebreak,
        };
        assert!(v(true, 0.0, 5.0, 0.0).better_than(&v(false, 0.1, -9.0, 0.0)));
        assert!(v(true, 0.0, 1.0, 2.0).better_than(&v(true, 0.0, 1.0, 3.0)));
        assert!(!v(true, 0.0, 1.0, 3.0).better_than(&v(true, 0.0, 1.0, 3.0)));
        assert!(v(false, 0.1, 5.0, 0.0).better_than(&v(false, 0.2, -5.0, 0.0)));
    }
}
