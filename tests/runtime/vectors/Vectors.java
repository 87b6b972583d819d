// The Java runtime's answers to protocol/runtime-vectors.json (env.enabled, redaction.names, preview),
// computed with the runtime's own functions. In package _tm to reach them. One case per stdin line,
// fields tab-separated, \N for null: `enabled DEBUG TELEMETRY_ENABLED` or `redact PATTERN NAME` (one
// `true`/`false` out), or `preview JSON` (the preview out, on one line).
package _tm;

import java.io.BufferedReader;
import java.io.InputStreamReader;

public final class Vectors {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("preview")) {
                System.out.println(Telemetry.preview(new Json(f[1]).value()));
                continue;
            }
            String a = f[1].equals("\\N") ? null : f[1];
            String b = f[2].equals("\\N") ? null : f[2];
            boolean answer = f[0].equals("enabled") ? Telemetry.enabled(a, b) : Telemetry.redactPattern(a).matcher(b).find();
            System.out.println(answer);
        }
    }

    /** Just enough JSON for the vectors: objects keep their order, integers are Long, other numbers Double. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) { this.s = s; }

        Object value() {
            char c = s.charAt(i);
            if (c == '{') {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                i++;
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    String k = string();
                    i++; // ':'
                    m.put(k, value());
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                java.util.List<Object> l = new java.util.ArrayList<>();
                i++;
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("null", i)) { i += 4; return null; }
            if (s.startsWith("true", i)) { i += 4; return true; }
            if (s.startsWith("false", i)) { i += 5; return false; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(start, i);
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }
    }
}
