//! The settings the server receives from Zed: the user's `lsp.telemetry-injector` entry turned into
//! `initializationOptions` and the `workspace/configuration` answer, both under the server's one
//! section. Pure: it never asks Zed for anything and never checks the values (the server validates
//! them against its schema, keeps its defaults and logs once).

use zed_extension_api::serde_json::{json, Map, Value};

/// The server's settings section (root README, "Settings").
pub const SECTION: &str = "telemetryInjector";

/// `{"telemetryInjector": settings}`. Settings already written under the section are kept as they are,
/// and a value of the wrong type is passed on so that the server, not the extension, reports it.
pub fn section(settings: Option<Value>) -> Value {
    match settings {
        Some(Value::Object(map)) if map.len() == 1 && map.contains_key(SECTION) => Value::Object(map),
        Some(value) => json!({ SECTION: value }),
        None => json!({ SECTION: Value::Object(Map::new()) }),
    }
}

/// `initialization_options` when the user set them (as for any Zed language server), otherwise the
/// `settings` under the section, so that the first diagnostics already follow the settings.
pub fn initialization_options(initialization_options: Option<Value>, settings: Option<Value>) -> Value {
    initialization_options.unwrap_or_else(|| section(settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_answered_under_the_telemetry_injector_section() {
        let answer = section(Some(json!({ "severity": "hint", "enable": false })));
        assert_eq!(
            answer,
            json!({ "telemetryInjector": { "severity": "hint", "enable": false } })
        );
    }

    #[test]
    fn no_settings_give_an_empty_section_so_the_server_keeps_its_defaults() {
        assert_eq!(section(None), json!({ "telemetryInjector": {} }));
    }

    #[test]
    fn settings_already_under_the_section_are_not_wrapped_twice() {
        let written = json!({ "telemetryInjector": { "severity": "error" } });
        assert_eq!(section(Some(written.clone())), written);
    }

    #[test]
    fn settings_of_the_wrong_type_reach_the_server_unchanged() {
        assert_eq!(section(Some(json!("hint"))), json!({ "telemetryInjector": "hint" }));
    }

    #[test]
    fn initialization_options_carry_the_settings_section_by_default() {
        let options = initialization_options(None, Some(json!({ "severity": "error" })));
        assert_eq!(options, json!({ "telemetryInjector": { "severity": "error" } }));
    }

    #[test]
    fn explicit_initialization_options_win_over_the_settings() {
        let explicit = json!({ "telemetryInjector": { "enable": false } });
        let options = initialization_options(Some(explicit.clone()), Some(json!({ "severity": "error" })));
        assert_eq!(options, explicit);
    }
}
