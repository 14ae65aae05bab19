//! Installs what the build and the tests need, when it is missing, saying
//! what it does. Everything comes from the package registries this project
//! may use: rustup's target, crates.io (wasm-pack, wasm-bindgen-cli,
//! geckodriver), Debian (browsers and drivers, Node.js) and npm.

use std::path::Path;

use crate::run::{self, command, output};

/// For `serve` and `build`: the wasm target, wasm-bindgen-cli at the
/// version in Cargo.lock, wasm-pack, and the npm packages (binaryen's wasm-opt).
pub fn build_tools() -> Result<(), String> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    cargo_install("wasm-pack", &["wasm-pack", "--locked"])?;
    npm_packages()
}

/// For `test`: the build tools, Debian's Chromium, ChromeDriver and Firefox
/// ESR, aiohttp for Debian's Python (the parity test runs the Python twins
/// under `/usr/bin/python3`), and geckodriver.
pub fn test_tools() -> Result<(), String> {
    build_tools()?;
    let missing = ["chromium", "chromedriver", "firefox"]
        .iter()
        .any(|b| !on_path(b))
        || output("/usr/bin/python3", &["-c", "import aiohttp"]).is_none();
    if missing {
        apt(&["chromium", "chromium-driver", "firefox-esr", "python3-aiohttp"])?;
    }
    cargo_install("geckodriver", &["geckodriver", "--locked"])
}

/// The docs generators the e2e suite builds real sites with
/// (`tests/e2e/generators.test.mjs`), into `target/sites/`: MkDocs with
/// mkdocs-material, Sphinx with Furo (a virtual environment, `py/`, from
/// `tests/sites/requirements.txt`), VitePress and Docusaurus (`npm ci` of
/// `tests/sites/package-lock.json`). Returns that folder.
pub fn site_generators() -> Result<std::path::PathBuf, String> {
    let root = xtask::root();
    let from = root.join("tests/sites");
    let to = root.join("target/sites");
    std::fs::create_dir_all(&to).map_err(|e| format!("creating {}: {e}", to.display()))?;
    // Each half is done again when its list changed since it was installed.
    let same = |name: &str| {
        std::fs::read(from.join(name))
            .ok()
            .is_some_and(|a| std::fs::read(to.join(name)).ok() == Some(a))
    };
    let copy = |name: &str| {
        std::fs::copy(from.join(name), to.join(name))
            .map(drop)
            .map_err(|e| format!("copying tests/sites/{name}: {e}"))
    };
    let python = to.join("py/bin/python");
    if !same("requirements.txt") || !python.exists() {
        let _ = std::fs::remove_file(to.join("requirements.txt"));
        if !python.exists() {
            run::status(
                "making the docs generators' Python environment (target/sites/py)",
                command("python3", &["-m", "venv", &to.join("py").to_string_lossy()]),
            )?;
        }
        let requirements = from.join("requirements.txt");
        run::status(
            "installing MkDocs, mkdocs-material, Sphinx and Furo (pip, once)",
            command(
                &python.to_string_lossy(),
                &[
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                    &requirements.to_string_lossy(),
                ],
            ),
        )?;
        copy("requirements.txt")?;
    }
    if !same("package-lock.json") || !to.join("node_modules").exists() {
        let _ = std::fs::remove_file(to.join("package-lock.json"));
        copy("package.json")?;
        copy("package-lock.json")?;
        let mut ci = command("npm", &["ci", "--no-audit", "--no-fund"]);
        ci.current_dir(&to);
        run::status(
            "installing VitePress and Docusaurus (npm ci, once; about 300 MB)",
            ci,
        )?;
    }
    Ok(to)
}

/// twiggy, the size profiler of `cargo xtask size`.
pub fn twiggy() -> Result<(), String> {
    cargo_install("twiggy", &["twiggy", "--locked"])
}

/// mdbook, for the docs book.
pub fn mdbook() -> Result<(), String> {
    cargo_install("mdbook", &["mdbook", "--locked"])
}

/// Whether `program` is an executable on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let path = dir.join(program);
            path.is_file()
                && std::fs::metadata(&path).is_ok_and(|m| {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode() & 0o111 != 0
                })
        })
    })
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run::status(
        "installing the wasm32-unknown-unknown target",
        command("rustup", &["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// wasm-pack would fetch a prebuilt wasm-bindgen from the internet, which
/// this project cannot reach; with the matching version on PATH it uses that.
/// (Not `--locked`: its lock file pins a webpki-roots release the registry
/// mirror here does not serve.)
fn wasm_bindgen_cli() -> Result<(), String> {
    let lock = std::fs::read_to_string(xtask::root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let version = locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock names no wasm-bindgen version")?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version.as_str()) {
        return Ok(());
    }
    run::status(
        &format!("installing wasm-bindgen-cli {version} (cargo install; a few minutes, once)"),
        run::cargo(&["install", "wasm-bindgen-cli", "--version", &version, "--force"]),
    )
}

fn cargo_install(program: &str, args: &[&str]) -> Result<(), String> {
    if on_path(program) {
        return Ok(());
    }
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    run::status(
        &format!("installing {program} (cargo install; a few minutes, once)"),
        run::cargo(&all),
    )
}

fn npm_packages() -> Result<(), String> {
    if !on_path("npm") || !on_path("node") {
        apt(&["nodejs", "npm"])?;
    }
    let root = xtask::root();
    let stamp = root.join("node_modules/.package-lock.json");
    if newer(&stamp, &root.join("package-lock.json")) {
        return Ok(());
    }
    run::status(
        "installing npm packages (npm ci)",
        command("npm", &["ci", "--no-audit", "--no-fund"]),
    )
}

/// Whether `a` exists and is at least as new as `b`.
fn newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

fn apt(packages: &[&str]) -> Result<(), String> {
    let root = output("id", &["-u"]).is_some_and(|id| id.trim() == "0");
    let (program, prefix): (&str, Vec<&str>) = if root {
        ("apt-get", vec![])
    } else if on_path("sudo") {
        ("sudo", vec!["apt-get"])
    } else {
        return Err(format!(
            "these Debian packages are needed: {}; install them as root",
            packages.join(" ")
        ));
    };
    let with = |args: &[&str]| {
        let mut all = prefix.clone();
        all.extend_from_slice(args);
        let mut c = command(program, &all);
        c.env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run::status("apt-get update", with(&["update"]))?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    run::status(
        &format!("installing {} (apt-get)", packages.join(", ")),
        with(&install),
    )
}

/// The version Cargo.lock pins for `package`.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn finds_the_locked_version_of_exactly_that_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.99"));
        assert_eq!(locked_version(lock, "nope"), None);
    }
}
