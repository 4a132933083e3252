//! Emitted events and raised errors, as the profile's exact counts show them: each
//! `EMIT_EVENT` site's executions, summed per event name, and each `THROW` site's. Nothing is
//! recorded while the program runs; these come from the counts when a report asks.

use serde::Serialize;

use super::InstructionProfiler;

/// How often an event was emitted (BASIC and up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventCount {
    /// The event's name (`Transfer` for `emit Transfer(...)`).
    pub name: String,
    /// Times it was emitted, over every site.
    pub count: u64,
}

/// The event name in an `EMIT_EVENT` operand's text, `3 (Transfer) argc=2`.
fn event_name(operand: &str) -> Option<&str> {
    let open = operand.find('(')?;
    let close = operand.rfind(')')?;
    operand.get(open + 1..close)
}

impl InstructionProfiler {
    /// Every event emitted, with its count, most emitted first (then by name).
    pub fn events(&self) -> Vec<EventCount> {
        let mut counts: Vec<EventCount> = Vec::new();
        for c in &self.codes {
            for (ip, op) in c.opcodes.iter().enumerate() {
                let n = c.counts.get(ip).copied().unwrap_or(0);
                if *op != "EMIT_EVENT" || n == 0 {
                    continue;
                }
                let name = event_name(&c.operands[ip]).unwrap_or("?");
                match counts.iter_mut().find(|e| e.name == name) {
                    Some(e) => e.count += n,
                    None => counts.push(EventCount {
                        name: name.to_string(),
                        count: n,
                    }),
                }
            }
        }
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        counts
    }

    /// Times a `throw` (a `THROW` instruction, which `require`, `revert` and `verify` use
    /// too) ran.
    pub fn throws(&self) -> u64 {
        self.codes
            .iter()
            .flat_map(|c| c.opcodes.iter().zip(&c.counts))
            .filter(|(op, _)| **op == "THROW")
            .map(|(_, n)| n)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::event_name;

    #[test]
    fn the_name_comes_from_the_operand_text() {
        assert_eq!(event_name("3 (Transfer) argc=2"), Some("Transfer"));
        assert_eq!(event_name("0 (Ping) argc=0"), Some("Ping"));
    }
}
