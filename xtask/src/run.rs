//! Running commands with their output visible, and adding up the suites.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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

/// Test counts read from a runner's output.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl Counts {
    /// Adds what one output line reports: cargo's and wasm-bindgen-test's
    /// `test result: ok. 8 passed; 0 failed; …`, node's `# pass 8` / `# fail 0`.
    fn read(&mut self, line: &str) {
        let number = |text: &str| {
            text.trim()
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u64>()
                .ok()
        };
        if let Some(rest) = line.split("test result:").nth(1) {
            for part in rest.split(';') {
                let part = part
                    .trim()
                    .trim_start_matches("ok.")
                    .trim_start_matches("FAILED.")
                    .trim();
                if let Some(n) = part.strip_suffix(" passed").and_then(number) {
                    self.passed += n;
                } else if let Some(n) = part.strip_suffix(" failed").and_then(number) {
                    self.failed += n;
                }
            }
        } else if let Some(n) = line.strip_prefix("# pass ").and_then(number) {
            self.passed += n;
        } else if let Some(n) = line.strip_prefix("# fail ").and_then(number) {
            self.failed += n;
        }
    }
}

/// The suites run so far and how each went.
#[derive(Default)]
pub struct Suites {
    results: Vec<(String, Result<(), String>, Counts)>,
}

impl Suites {
    /// Runs one suite, echoing its output and counting its tests; a failure
    /// is remembered and the next suite still runs.
    pub fn run(&mut self, name: &str, mut command: Command) {
        println!("==> {name}");
        let mut counts = Counts::default();
        let result = (|| {
            let mut child = command
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("could not start {:?}: {e}", command.get_program()))?;
            if let Some(out) = child.stdout.take() {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    counts.read(&line);
                }
            }
            let status = child.wait().map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("exited with {status}"));
            }
            if counts.passed == 0 {
                return Err("ran no test".to_string());
            }
            Ok(())
        })();
        self.results.push((name.to_string(), result, counts));
    }

    /// Records a suite that could not even start.
    pub fn fail(&mut self, name: &str, why: &str) {
        self.results
            .push((name.to_string(), Err(why.to_string()), Counts::default()));
    }

    /// Prints the summary; an error if any suite failed.
    pub fn finish(self) -> Result<(), String> {
        println!("\n==> summary");
        let mut total = Counts::default();
        let mut failed_suites = 0;
        for (name, result, counts) in &self.results {
            total.passed += counts.passed;
            total.failed += counts.failed;
            let tally = format!("{} passed, {} failed", counts.passed, counts.failed);
            match result {
                Ok(()) => println!("  ok      {name}: {tally}"),
                Err(why) => {
                    failed_suites += 1;
                    println!("  FAILED  {name}: {tally}; {why}");
                }
            }
        }
        println!("tests: {} passed, {} failed", total.passed, total.failed);
        if failed_suites == 0 {
            Ok(())
        } else {
            Err(format!("{failed_suites} of {} suites failed", self.results.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_cargo_wasm_bindgen_and_node_summaries() {
        let mut c = Counts::default();
        for line in [
            "test result: ok. 17 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "test result: FAILED. 8 passed; 2 failed; 0 ignored; 0 filtered out; finished in 3.41s",
            "# pass 12",
            "# fail 1",
            "test sleep ... ok",
        ] {
            c.read(line);
        }
        assert_eq!(
            c,
            Counts {
                passed: 37,
                failed: 3
            }
        );
    }
}
