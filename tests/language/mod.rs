mod bytecode_identity;
mod compile_errors;
mod eval_api;
mod exceptions;
mod exceptions_callbacks;
mod limits;
mod scripts;
pub(crate) mod vm_builder;
