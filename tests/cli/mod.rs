mod cli_limits;
mod cli_profile;
mod commands;
mod diagnostics;
mod repl;
