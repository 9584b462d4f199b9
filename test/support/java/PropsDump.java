import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Test oracle for test/config/properties.test.ts: loads each file named on the command line with
 * {@code Properties.load(new InputStreamReader(in, UTF_8))} and prints one JSON object per file, one per line:
 * {@code {"map":{...}}} on success, or {@code {"error":"...","map":{...}}} if load threw (map = what was loaded
 * before the exception). Keys are sorted; every non-ASCII or control char is written as a JSON \\uXXXX escape, so
 * the output is pure ASCII and lone surrogates survive.
 */
public final class PropsDump {
  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String path : args) {
      Properties props = new Properties();
      String error = null;
      try (Reader r = new InputStreamReader(new FileInputStream(path), StandardCharsets.UTF_8)) {
        props.load(r);
      } catch (IllegalArgumentException e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      TreeMap<String, String> sorted = new TreeMap<>();
      for (String k : props.stringPropertyNames()) sorted.put(k, props.getProperty(k));
      out.append('{');
      if (error != null) {
        json(out, "error");
        out.append(':');
        json(out, error);
        out.append(',');
      }
      json(out, "map");
      out.append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        if (!first) out.append(',');
        first = false;
        json(out, e.getKey());
        out.append(':');
        json(out, e.getValue());
      }
      out.append("}}\n");
    }
    System.out.print(out);
    System.out.flush();
  }

  private static void json(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
