import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test oracle for test/components/interceptors/java-regex.test.ts. Each input line is
 * base64(pattern) TAB base64(input) TAB base64(replacement); each output line is either
 * {@code compile-error} or {@code found TAB groups TAB replaced TAB matchesWhole} where found is 0/1, groups are
 * base64 group values (group 0..n, "-" for null) joined by ",", replaced is base64 of replaceAll(replacement) or "E"
 * if replaceAll threw, matchesWhole is 0/1 (Matcher.matches()).
 */
public final class RegexDump {
  public static void main(String[] args) throws Exception {
    Base64.Decoder dec = Base64.getDecoder();
    Base64.Encoder enc = Base64.getEncoder();
    List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.US_ASCII);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      String pattern = new String(dec.decode(f[0]), StandardCharsets.UTF_8);
      String input = new String(dec.decode(f[1]), StandardCharsets.UTF_8);
      String rep = new String(dec.decode(f[2]), StandardCharsets.UTF_8);
      Pattern p;
      try {
        p = Pattern.compile(pattern);
      } catch (Exception e) {
        out.append("compile-error\n");
        continue;
      }
      Matcher m = p.matcher(input);
      boolean found = m.find();
      StringBuilder groups = new StringBuilder();
      if (found) {
        for (int g = 0; g <= m.groupCount(); g++) {
          if (g > 0) groups.append(',');
          String v = m.group(g);
          groups.append(v == null ? "-" : enc.encodeToString(v.getBytes(StandardCharsets.UTF_8)));
        }
      }
      String replaced;
      try {
        replaced = enc.encodeToString(p.matcher(input).replaceAll(rep).getBytes(StandardCharsets.UTF_8));
      } catch (Exception e) {
        replaced = "E";
      }
      boolean whole = p.matcher(input).matches();
      out.append(found ? "1" : "0").append('\t').append(groups).append('\t').append(replaced).append('\t').append(whole ? "1" : "0").append('\n');
    }
    System.out.print(out);
  }
}
