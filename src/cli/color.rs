//! `--color auto|always|never`: whether error diagnostics on standard error are coloured.

/// When to colour diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Only when standard error is a terminal, and `NO_COLOR` is not set (anstream's
    /// detection, which also honours `CLICOLOR_FORCE` and `TERM=dumb`).
    #[default]
    Auto,
    /// Always emit ANSI escapes.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Whether diagnostics written to standard error get colours.
    pub fn enabled(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !matches!(
                anstream::AutoStream::choice(&std::io::stderr()),
                anstream::ColorChoice::Never
            ),
        }
    }
}
