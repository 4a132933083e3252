mod bytecode_fuzz;
mod campaigns;
mod compiler_robustness;
mod differential;
mod reference;
