//! Contract access control: `set_owner get_owner is_owner grant_role revoke_role has_role
//! get_roles grant_permission revoke_permission has_permission`.
//!
//! The original keeps one registry per process: per contract id, its owner, the addresses
//! holding each role and the permissions of each address, all in memory (nothing is stored
//! on disk or on a chain). Here the registry belongs to the thread running the program and
//! starts empty for each VM ([`reset`]) and for each run of the reference evaluator (a thread of
//! its own). Arguments are read by their display form (`set_owner("c", "0xA")`), and the
//! setters return `null`.

use std::cell::RefCell;
use std::collections::HashMap;

use zexus_runtime::{OpError, Value};

use super::arity;
use crate::bytecode::Builtin;

/// One contract's access data.
#[derive(Default)]
struct Contract {
    owner: Option<String>,
    /// Role name to the addresses holding it, roles in the order first granted.
    roles: Vec<(String, Vec<String>)>,
    /// Address to its permissions.
    permissions: HashMap<String, Vec<String>>,
}

impl Contract {
    fn holders(&mut self, role: &str) -> &mut Vec<String> {
        let i = match self.roles.iter().position(|(r, _)| r == role) {
            Some(i) => i,
            None => {
                self.roles.push((role.to_string(), Vec::new()));
                self.roles.len() - 1
            }
        };
        &mut self.roles[i].1
    }

    fn has_role(&self, address: &str, role: &str) -> bool {
        self.roles
            .iter()
            .any(|(r, who)| r == role && who.iter().any(|a| a == address))
    }
}

thread_local! {
    static REGISTRY: RefCell<HashMap<String, Contract>> = RefCell::new(HashMap::new());
}

/// Empties the registry (a new VM starts with no owners, roles or permissions).
pub(crate) fn reset() {
    REGISTRY.with(|r| r.borrow_mut().clear());
}

fn add(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

fn remove(list: &mut Vec<String>, item: &str) {
    list.retain(|x| x != item);
}

/// Calls one of the access-control builtins.
pub(super) fn call(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let n = match b {
        Builtin::GetOwner => 1,
        Builtin::SetOwner | Builtin::IsOwner | Builtin::GetRoles => 2,
        _ => 3,
    };
    arity(b.name(), args, n)?;
    let s: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    REGISTRY.with(|r| {
        let mut reg = r.borrow_mut();
        let c = reg.entry(s[0].clone()).or_default();
        let v = match b {
            Builtin::SetOwner => {
                c.owner = Some(s[1].clone());
                // The owner also holds the role "owner".
                add(c.holders("owner"), &s[1]);
                Value::NULL
            }
            Builtin::GetOwner => c.owner.clone().map_or(Value::NULL, Value::str),
            Builtin::IsOwner => Value::bool(c.owner.as_deref() == Some(s[1].as_str())),
            Builtin::GrantRole => {
                add(c.holders(&s[2]), &s[1]);
                Value::NULL
            }
            Builtin::RevokeRole => {
                remove(c.holders(&s[2]), &s[1]);
                Value::NULL
            }
            Builtin::HasRole => Value::bool(c.has_role(&s[1], &s[2])),
            Builtin::GetRoles => Value::list(
                c.roles
                    .iter()
                    .filter(|(_, who)| who.iter().any(|a| *a == s[1]))
                    .map(|(r, _)| Value::str(r.clone()))
                    .collect(),
            ),
            Builtin::GrantPermission => {
                add(c.permissions.entry(s[1].clone()).or_default(), &s[2]);
                Value::NULL
            }
            Builtin::RevokePermission => {
                remove(c.permissions.entry(s[1].clone()).or_default(), &s[2]);
                Value::NULL
            }
            _ => {
                let has = c
                    .permissions
                    .get(&s[1])
                    .is_some_and(|p| p.iter().any(|x| *x == s[2]));
                Value::bool(has)
            }
        };
        Ok(v)
    })
}
