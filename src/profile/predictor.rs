//! The simulated branch predictor of FULL: a 2-bit saturating counter per conditional branch,
//! state 0..=3, predicting taken at [`PREDICTS_TAKEN`] and up, starting at 1 (weakly not
//! taken). This file is its one definition; each place that runs it derives from here:
//! - the interpreter records outcome by outcome ([`super::BranchStats::record`], [`step`]);
//! - compiled code keeps the predictor in one word, [`pack`]ed as `misses * 4 + state`, and
//!   steps it branch-free by adding a lane of a constant ([`step_lanes`], emitted by
//!   `jit::emit::predictor_step`); the VM adds the word back ([`super::BranchStats::add_packed`]);
//! - a loop's exit test, which in one native run falls through `n` times and is then taken
//!   once, is replayed in closed form ([`run`]).

/// The lowest state that predicts taken.
pub const PREDICTS_TAKEN: u8 = 2;

/// The state a new branch starts in.
pub const INITIAL_STATE: u8 = 1;

/// One outcome on a predictor in `state`: (whether it was mispredicted, the new state).
#[inline]
pub const fn step(state: u8, taken: bool) -> (bool, u8) {
    let miss = (state >= PREDICTS_TAKEN) != taken;
    let next = if taken {
        if state >= 3 {
            3
        } else {
            state + 1
        }
    } else {
        state.saturating_sub(1)
    };
    (miss, next)
}

/// `n` outcomes in one direction from `state`, in closed form: (misses, new state), as `n`
/// calls of [`step`].
pub fn run(state: u8, taken: bool, n: u64) -> (u64, u8) {
    let s = state as u64;
    if taken {
        (
            n.min((PREDICTS_TAKEN as u64).saturating_sub(s)),
            s.saturating_add(n).min(3) as u8,
        )
    } else {
        (
            n.min(s.saturating_sub(PREDICTS_TAKEN as u64 - 1)),
            s.saturating_sub(n) as u8,
        )
    }
}

/// The one-word form compiled code keeps: `misses * 4 + state`.
pub const fn pack(misses: u64, state: u8) -> u64 {
    misses * 4 + state as u64
}

/// The (misses, state) of a packed word.
pub const fn unpack(word: u64) -> (u64, u8) {
    (word >> 2, (word & 3) as u8)
}

/// What compiled code adds to a packed word for one outcome, per state, without branching:
/// `(lanes, bias)`, where the 16-bit lane `state` of `lanes`, plus `bias`, is the word's
/// change (4 for a miss, plus the state's step). The not-taken lanes are biased by +1 so that
/// every lane is non-negative.
pub const fn step_lanes(taken: bool) -> (i64, i64) {
    let bias: i64 = if taken { 0 } else { -1 };
    let mut lanes: i64 = 0;
    let mut s: u8 = 0;
    while s < 4 {
        let (miss, next) = step(s, taken);
        let delta = if miss { 4 } else { 0 } + next as i64 - s as i64;
        lanes |= (delta - bias) << (16 * s as i64);
        s += 1;
    }
    (lanes, bias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_form_replays_steps() {
        for state in 0..4u8 {
            for taken in [false, true] {
                for n in 0..10u64 {
                    let (mut misses, mut s) = (0, state);
                    for _ in 0..n {
                        let (m, next) = step(s, taken);
                        misses += u64::from(m);
                        s = next;
                    }
                    assert_eq!(run(state, taken, n), (misses, s), "{state} {taken} {n}");
                }
            }
        }
    }

    #[test]
    fn the_lanes_step_a_packed_word_as_step_does() {
        for taken in [false, true] {
            let (lanes, bias) = step_lanes(taken);
            for state in 0..4u8 {
                let word = pack(7, state);
                // What the emitted code computes: word + ((lanes >> 16 * state) & 0xffff) + bias.
                let lane = (lanes >> (16 * state as i64)) & 0xffff;
                let next = (word as i64 + lane + bias) as u64;
                let (miss, s) = step(state, taken);
                assert_eq!(unpack(next), (7 + u64::from(miss), s), "{state} {taken}");
            }
        }
        // The constants compiled code used before they were derived from `step`.
        assert_eq!(step_lanes(true), (5 | 5 << 16 | 1 << 32, 0));
        assert_eq!(step_lanes(false), (1 | 4 << 32 | 4 << 48, -1));
    }
}
