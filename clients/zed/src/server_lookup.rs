//! Where the telemetry-injector server comes from, decided from what Zed reported: the
//! `lsp.telemetry-injector.binary` setting, the worktree's `node_modules/telemetry-injector`, the
//! `telemetry-injector` on the worktree's PATH, and last an install from npm into the extension's
//! own folder. Pure: the caller asks Zed (settings, files, PATH, npm) and this module only decides,
//! so it never touches the host and never installs anything itself.

use std::collections::HashMap;

use zed_extension_api::serde_json::{self, Value};

/// The server's name in Zed's settings (`lsp.<name>`), on PATH and as an npm package.
pub const SERVER_NAME: &str = "telemetry-injector";
/// The npm package that holds the server.
pub const PACKAGE: &str = "telemetry-injector";
/// Where the package's manifest sits, relative to a worktree or to the extension's folder.
pub const PACKAGE_JSON: &str = "node_modules/telemetry-injector/package.json";
const PACKAGE_DIR: &str = "node_modules/telemetry-injector";
/// The script the package's `bin` names, for a manifest that cannot be read.
const DEFAULT_SCRIPT: &str = "bin/telemetry-injector.js";
/// The arguments that start the language server, unless the binary setting gives its own.
pub const DEFAULT_ARGS: [&str; 2] = ["lsp", "--stdio"];

/// The user's `lsp.telemetry-injector.binary` setting.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BinarySetting {
    pub path: Option<String>,
    pub arguments: Option<Vec<String>>,
    pub env: Option<HashMap<String, String>>,
}

/// What Zed reported about one worktree, gathered before deciding.
#[derive(Debug, Default, Clone)]
pub struct Probe {
    pub binary: BinarySetting,
    /// The worktree's root folder.
    pub worktree_root: String,
    /// The text of the worktree's `node_modules/telemetry-injector/package.json`, when it exists.
    pub worktree_package_json: Option<String>,
    /// `worktree.which("telemetry-injector")`.
    pub on_path: Option<String>,
}

/// How to start the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// Run this program itself (a path from the setting, or the shim on PATH).
    Program(Invocation),
    /// Run this JavaScript file with Zed's own Node (`zed::node_binary_path()`).
    NodeScript(Invocation),
    /// Nothing found: install the package from npm into the extension's folder and run its script
    /// with Zed's Node; `args` and `env` are those to use then.
    InstallFromNpm {
        args: Vec<String>,
        env: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub path: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The lookup, in order; the first source present wins.
pub fn locate(probe: &Probe) -> Launch {
    let args = probe
        .binary
        .arguments
        .clone()
        .unwrap_or_else(|| DEFAULT_ARGS.iter().map(|a| (*a).to_string()).collect());
    // Sorted, so that the command Zed shows is the same on every start.
    let mut env: Vec<(String, String)> = probe.binary.env.clone().unwrap_or_default().into_iter().collect();
    env.sort();
    let invocation = |path: String| Invocation {
        path,
        args: args.clone(),
        env: env.clone(),
    };

    if let Some(path) = probe.binary.path.as_deref().filter(|p| !p.trim().is_empty()) {
        return if is_script(path) {
            Launch::NodeScript(invocation(path.to_string()))
        } else {
            Launch::Program(invocation(path.to_string()))
        };
    }
    if let Some(manifest) = probe.worktree_package_json.as_deref() {
        let script = join(&join(&probe.worktree_root, PACKAGE_DIR), &package_script(manifest));
        return Launch::NodeScript(invocation(script));
    }
    if let Some(path) = probe.on_path.clone() {
        return Launch::Program(invocation(path));
    }
    Launch::InstallFromNpm { args, env }
}

/// What to do about the npm copy in the extension's folder, from the registry's latest version and
/// the installed one: keep an up-to-date copy, install a newer one, or keep an older one when the
/// registry cannot be reached (offline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NpmPlan {
    UseInstalled,
    Install { version: String, fallback_installed: bool },
    Fail(String),
}

pub fn npm_plan(latest: Result<String, String>, installed: Option<String>) -> NpmPlan {
    match (latest, installed) {
        (Ok(latest), Some(current)) if latest == current => NpmPlan::UseInstalled,
        (Ok(version), installed) => NpmPlan::Install {
            version,
            fallback_installed: installed.is_some(),
        },
        (Err(_), Some(_)) => NpmPlan::UseInstalled,
        (Err(err), None) => NpmPlan::Fail(err),
    }
}

/// The script of the package installed under `base` (the extension's folder after an npm install).
pub fn installed_script(base: &str, manifest: Option<&str>) -> String {
    let script = manifest
        .map(package_script)
        .unwrap_or_else(|| DEFAULT_SCRIPT.to_string());
    join(&join(base, PACKAGE_DIR), &script)
}

/// The file the package's `bin` field names for the server: `"bin": "x.js"` or
/// `"bin": {"telemetry-injector": "x.js"}`.
pub fn package_script(manifest: &str) -> String {
    let bin = serde_json::from_str::<Value>(manifest)
        .ok()
        .and_then(|v| v.get("bin").cloned());
    let script = match bin {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(map)) => map.get(SERVER_NAME).and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    script
        .map(|s| s.trim_start_matches("./").to_string())
        .unwrap_or_else(|| DEFAULT_SCRIPT.to_string())
}

/// The error Zed shows when no server could be found or installed: it names the setting to fix.
pub fn missing_server_message(install_error: &str) -> String {
    format!(
        "{SERVER_NAME}: no server found. Looked at the setting lsp.{SERVER_NAME}.binary.path, at \
         {PACKAGE_DIR} in the worktree and for {SERVER_NAME} on PATH, and installing the npm package \
         failed ({install_error}). Set lsp.{SERVER_NAME}.binary.path in settings.json to the server \
         (for example <project>/node_modules/.bin/{SERVER_NAME}), or run npm install --save-dev {PACKAGE}."
    )
}

fn is_script(path: &str) -> bool {
    [".js", ".mjs", ".cjs"].iter().any(|ext| path.ends_with(ext))
}

fn join(base: &str, relative: &str) -> String {
    if base.is_empty() {
        relative.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches(['/', '\\']), relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{"name":"telemetry-injector","bin":{"telemetry-injector":"bin/telemetry-injector.js"}}"#;

    fn everything_present() -> Probe {
        Probe {
            binary: BinarySetting {
                path: Some("/opt/ti/bin/telemetry-injector".into()),
                ..Default::default()
            },
            worktree_root: "/work/project".into(),
            worktree_package_json: Some(MANIFEST.into()),
            on_path: Some("/usr/local/bin/telemetry-injector".into()),
        }
    }

    fn default_args() -> Vec<String> {
        vec!["lsp".into(), "--stdio".into()]
    }

    #[test]
    fn the_binary_setting_wins_over_everything_else() {
        let launch = locate(&everything_present());
        assert_eq!(
            launch,
            Launch::Program(Invocation {
                path: "/opt/ti/bin/telemetry-injector".into(),
                args: default_args(),
                env: vec![]
            })
        );
    }

    #[test]
    fn a_binary_setting_naming_a_javascript_file_runs_it_with_zeds_node() {
        let mut probe = everything_present();
        probe.binary.path = Some("/checkout/bin/telemetry-injector.js".into());
        assert!(matches!(locate(&probe), Launch::NodeScript(i) if i.path == "/checkout/bin/telemetry-injector.js"));
    }

    #[test]
    fn the_binary_settings_arguments_and_env_replace_the_defaults() {
        let mut probe = everything_present();
        probe.binary.arguments = Some(vec!["lsp".into(), "--stdio".into(), "--log-level=debug".into()]);
        probe.binary.env = Some(HashMap::from([
            ("B".to_string(), "2".to_string()),
            ("A".to_string(), "1".to_string()),
        ]));
        let Launch::Program(invocation) = locate(&probe) else {
            panic!("expected the program from the setting")
        };
        assert_eq!(invocation.args, vec!["lsp", "--stdio", "--log-level=debug"]);
        assert_eq!(
            invocation.env,
            vec![("A".to_string(), "1".to_string()), ("B".to_string(), "2".to_string())]
        );
    }

    #[test]
    fn an_empty_binary_path_counts_as_unset() {
        let mut probe = everything_present();
        probe.binary.path = Some("  ".into());
        assert!(matches!(locate(&probe), Launch::NodeScript(_)));
    }

    #[test]
    fn without_the_setting_the_worktrees_package_runs_with_zeds_node() {
        let mut probe = everything_present();
        probe.binary.path = None;
        assert_eq!(
            locate(&probe),
            Launch::NodeScript(Invocation {
                path: "/work/project/node_modules/telemetry-injector/bin/telemetry-injector.js".into(),
                args: default_args(),
                env: vec![],
            })
        );
    }

    #[test]
    fn without_a_worktree_package_the_server_on_path_runs() {
        let mut probe = everything_present();
        probe.binary.path = None;
        probe.worktree_package_json = None;
        assert!(matches!(locate(&probe), Launch::Program(i) if i.path == "/usr/local/bin/telemetry-injector"));
    }

    #[test]
    fn with_nothing_found_the_package_is_installed_from_npm() {
        let probe = Probe {
            worktree_root: "/work/project".into(),
            ..Default::default()
        };
        assert_eq!(
            locate(&probe),
            Launch::InstallFromNpm {
                args: default_args(),
                env: vec![]
            }
        );
    }

    #[test]
    fn the_script_is_read_from_the_packages_bin_field() {
        assert_eq!(package_script(MANIFEST), "bin/telemetry-injector.js");
        assert_eq!(package_script(r#"{"bin":"./cli/server.js"}"#), "cli/server.js");
    }

    #[test]
    fn an_unreadable_manifest_falls_back_to_the_known_script() {
        assert_eq!(package_script("not json"), "bin/telemetry-injector.js");
        assert_eq!(
            package_script(r#"{"bin":{"other":"x.js"}}"#),
            "bin/telemetry-injector.js"
        );
    }

    #[test]
    fn the_npm_installed_script_sits_under_the_extensions_folder() {
        assert_eq!(
            installed_script("/ext/work/telemetry-injector/", Some(MANIFEST)),
            "/ext/work/telemetry-injector/node_modules/telemetry-injector/bin/telemetry-injector.js"
        );
        assert_eq!(
            installed_script("", None),
            "node_modules/telemetry-injector/bin/telemetry-injector.js"
        );
    }

    #[test]
    fn an_up_to_date_npm_copy_is_used_as_it_is() {
        assert_eq!(
            npm_plan(Ok("0.1.0".into()), Some("0.1.0".into())),
            NpmPlan::UseInstalled
        );
    }

    #[test]
    fn a_newer_release_is_installed_keeping_the_old_copy_to_fall_back_on() {
        let plan = npm_plan(Ok("0.2.0".into()), Some("0.1.0".into()));
        assert_eq!(
            plan,
            NpmPlan::Install {
                version: "0.2.0".into(),
                fallback_installed: true
            }
        );
        let first = npm_plan(Ok("0.2.0".into()), None);
        assert_eq!(
            first,
            NpmPlan::Install {
                version: "0.2.0".into(),
                fallback_installed: false
            }
        );
    }

    #[test]
    fn offline_an_installed_copy_is_used_and_without_one_the_lookup_fails() {
        assert_eq!(
            npm_plan(Err("offline".into()), Some("0.1.0".into())),
            NpmPlan::UseInstalled
        );
        assert_eq!(npm_plan(Err("offline".into()), None), NpmPlan::Fail("offline".into()));
    }

    #[test]
    fn the_missing_server_error_names_the_setting_to_fix() {
        let message = missing_server_message("offline");
        assert!(message.contains("lsp.telemetry-injector.binary.path"), "{message}");
        assert!(message.contains("offline"), "{message}");
    }
}
