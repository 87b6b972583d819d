// The Java runtime's answers to protocol/runtime-vectors.json (env.enabled, redaction.names), computed
// with the runtime's own functions. In package _tm to reach them. One case per stdin line, fields
// tab-separated, \N for null: `enabled DEBUG TELEMETRY_ENABLED` or `redact PATTERN NAME`; one
// `true`/`false` per line out.
package _tm;

import java.io.BufferedReader;
import java.io.InputStreamReader;

public final class Vectors {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            String a = f[1].equals("\\N") ? null : f[1];
            String b = f[2].equals("\\N") ? null : f[2];
            boolean answer = f[0].equals("enabled") ? Telemetry.enabled(a, b) : Telemetry.redactPattern(a).matcher(b).find();
            System.out.println(answer);
        }
    }
}
