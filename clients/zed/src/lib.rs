//! The Zed extension for telemetry-injector: registers the language server (extension.toml) and
//! answers Zed's three questions about it: which command starts it, its initialization options, and
//! its workspace configuration. This file is the only one that talks to Zed; what to decide lives in
//! the pure modules `server_lookup` and `settings_section`, which `cargo test` covers on the native target.

mod server_lookup;
mod settings_section;

use server_lookup::{BinarySetting, Invocation, Launch, NpmPlan, Probe, PACKAGE, PACKAGE_JSON, SERVER_NAME};
use zed_extension_api::{self as zed, serde_json::Value, settings::LspSettings, LanguageServerId, Result};

struct TelemetryInjector {
    /// The script installed from npm in this session, so that later worktrees skip the version check.
    installed_script: Option<String>,
}

impl TelemetryInjector {
    fn probe(worktree: &zed::Worktree) -> Probe {
        let binary = lsp_settings(worktree).binary.map(|b| BinarySetting {
            path: b.path,
            arguments: b.arguments,
            env: b.env,
        });
        Probe {
            binary: binary.unwrap_or_default(),
            worktree_root: worktree.root_path(),
            worktree_package_json: worktree.read_text_file(PACKAGE_JSON).ok(),
            on_path: worktree.which(SERVER_NAME),
        }
    }

    /// The npm package in the extension's own folder: installed when missing or outdated.
    fn npm_script(&mut self, id: &LanguageServerId) -> Result<String> {
        if let Some(script) = &self.installed_script {
            return Ok(script.clone());
        }
        zed::set_language_server_installation_status(id, &zed::LanguageServerInstallationStatus::CheckingForUpdate);
        let installed =
            zed::npm_package_installed_version(PACKAGE).map_err(|err| server_lookup::missing_server_message(&err))?;
        match server_lookup::npm_plan(zed::npm_package_latest_version(PACKAGE), installed) {
            NpmPlan::UseInstalled => {}
            NpmPlan::Install {
                version,
                fallback_installed,
            } => {
                zed::set_language_server_installation_status(id, &zed::LanguageServerInstallationStatus::Downloading);
                if let Err(err) = zed::npm_install_package(PACKAGE, &version) {
                    if !fallback_installed {
                        self.fail(id, &err);
                        return Err(server_lookup::missing_server_message(&err));
                    }
                }
            }
            NpmPlan::Fail(err) => {
                self.fail(id, &err);
                return Err(server_lookup::missing_server_message(&err));
            }
        }
        zed::set_language_server_installation_status(id, &zed::LanguageServerInstallationStatus::None);
        let base = std::env::current_dir()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        let manifest = std::fs::read_to_string(PACKAGE_JSON).ok();
        let script = server_lookup::installed_script(&base, manifest.as_deref());
        self.installed_script = Some(script.clone());
        Ok(script)
    }

    fn fail(&self, id: &LanguageServerId, err: &str) {
        zed::set_language_server_installation_status(
            id,
            &zed::LanguageServerInstallationStatus::Failed(err.to_string()),
        );
    }
}

impl zed::Extension for TelemetryInjector {
    fn new() -> Self {
        TelemetryInjector { installed_script: None }
    }

    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<zed::Command> {
        let with_node = |invocation: Invocation| -> Result<zed::Command> {
            let mut args = vec![invocation.path];
            args.extend(invocation.args);
            Ok(zed::Command {
                command: zed::node_binary_path()?,
                args,
                env: invocation.env,
            })
        };
        match server_lookup::locate(&Self::probe(worktree)) {
            Launch::Program(i) => Ok(zed::Command {
                command: i.path,
                args: i.args,
                env: i.env,
            }),
            Launch::NodeScript(i) => with_node(i),
            Launch::InstallFromNpm { args, env } => {
                let path = self.npm_script(id)?;
                with_node(Invocation { path, args, env })
            }
        }
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<Value>> {
        let lsp = lsp_settings(worktree);
        Ok(Some(settings_section::initialization_options(
            lsp.initialization_options,
            lsp.settings,
        )))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<Value>> {
        Ok(Some(settings_section::section(lsp_settings(worktree).settings)))
    }
}

/// The user's `lsp.telemetry-injector` entry; none set reads as empty.
fn lsp_settings(worktree: &zed::Worktree) -> LspSettings {
    LspSettings::for_worktree(SERVER_NAME, worktree).unwrap_or_default()
}

zed::register_extension!(TelemetryInjector);
