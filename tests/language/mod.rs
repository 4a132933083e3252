mod bytecode_identity;
mod compile_errors;
mod eval_api;
mod exceptions;
mod exceptions_callbacks;
mod limits;
mod scripts;
mod vm_builder;
