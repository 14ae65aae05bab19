//! Running commands with their output visible, and adding up the suites.

use std::process::Command;

/// `program args…` in the workspace root.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(xtask::root());
    command
}

/// `cargo args…` with the cargo that runs xtask.
pub fn cargo(args: &[&str]) -> Command {
    command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()), args)
}

/// Runs `command`, its output going straight to the terminal.
pub fn status(what: &str, mut command: Command) -> Result<(), String> {
    println!("==> {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Runs `command` and returns its standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The suites run so far and how each went.
#[derive(Default)]
pub struct Suites {
    results: Vec<(String, Result<(), String>)>,
}

impl Suites {
    /// Runs one suite; a failure is remembered and the next suite still runs.
    pub fn run(&mut self, name: &str, command: Command) {
        let result = status(name, command);
        self.results.push((name.to_string(), result));
    }

    /// Records a suite that could not even start.
    pub fn fail(&mut self, name: &str, why: &str) {
        self.results.push((name.to_string(), Err(why.to_string())));
    }

    /// Prints the summary; an error if any suite failed.
    pub fn finish(self) -> Result<(), String> {
        println!("\n==> summary");
        let mut failed = 0;
        for (name, result) in &self.results {
            match result {
                Ok(()) => println!("  ok      {name}"),
                Err(why) => {
                    failed += 1;
                    println!("  FAILED  {name}: {why}");
                }
            }
        }
        if failed == 0 {
            Ok(())
        } else {
            Err(format!("{failed} of {} suites failed", self.results.len()))
        }
    }
}
