mod jit_clif;
mod jit_differential;
mod jit_exits;
mod jit_functions;
mod jit_fuzz;
mod jit_options;
mod jit_report;
mod jitdump_perf;
