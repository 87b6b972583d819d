// The Rust runtime's answers to protocol/runtime-vectors.json (env.enabled, redaction.names), computed
// with the runtime's own functions. One case per stdin line, fields tab-separated, \N for null:
// `enabled DEBUG TELEMETRY_ENABLED` or `redact PATTERN NAME`; one `true`/`false` per line out.
mod telemetry_runtime;

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("a line");
        let f: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| if f[i] == "\\N" { None } else { Some(f[i]) };
        let answer = if f[0] == "enabled" {
            telemetry_runtime::enabled(field(1), field(2))
        } else {
            telemetry_runtime::redacts(field(1), field(2).unwrap_or(""))
        };
        println!("{}", answer);
    }
}
