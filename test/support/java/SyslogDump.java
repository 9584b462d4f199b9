import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.flume.Event;
import org.apache.flume.source.SyslogParser;
import org.apache.flume.source.SyslogUtils;
import org.joda.time.DateTimeUtils;

/**
 * Test oracle for test/components/sources/syslog-parsers.test.ts: runs Flume 1.11's own SyslogUtils and SyslogParser.
 * args: input file, now (epoch ms). Each input line: kind TAB keepFields TAB eventSize TAB base64(chunk) [TAB base64 …]
 * kind = tcp (the chunks are one connection, one SyslogUtils), udp (each chunk a datagram, one SyslogUtils as in
 * SyslogUDPSource: extractEvent once per datagram), parser (each chunk one line for SyslogParser.parseMessage, UTF-8).
 * kind = tcpfmt: as tcp, with a custom format first (SyslogUtils.addFormats): the 4 fields after eventSize are
 * base64 of format.regex, format.search, format.replace, format.dateFormat ("-" = not set), then the chunks.
 * Output per input line: "#" then one line per event: headers.toString() TAB base64(body), or DROP:<exception class>.
 */
public final class SyslogDump {
  public static void main(String[] args) throws Exception {
    long now = Long.parseLong(args[1]);
    DateTimeUtils.setCurrentMillisFixed(now);
    Clock clock = Clock.fixed(Instant.ofEpochMilli(now), ZoneId.systemDefault());
    Base64.Decoder dec = Base64.getDecoder();
    Base64.Encoder enc = Base64.getEncoder();
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.US_ASCII)) {
      String[] f = line.split("\t", -1);
      String kind = f[0];
      Set<String> keep = SyslogUtils.chooseFieldsToKeep(f[1]);
      int size = Integer.parseInt(f[2]);
      out.append("#\n");
      SyslogUtils utils = new SyslogUtils(size, keep, kind.equals("udp"), clock);
      utils.setEventSize(kind.equals("udp") ? 1 << 16 : size);
      SyslogParser parser = new SyslogParser();
      int first = 3;
      if (kind.equals("tcpfmt")) {
        java.util.Map<String, String> fmt = new java.util.HashMap<>();
        String[] names = {"regex", "search", "replace", "dateFormat"};
        for (int k = 0; k < 4; k++) {
          if (!f[3 + k].equals("-")) fmt.put(names[k], new String(dec.decode(f[3 + k]), StandardCharsets.UTF_8));
        }
        utils.addFormats(fmt);
        first = 7;
      }
      for (int i = first; i < f.length; i++) {
        byte[] chunk = dec.decode(f[i]);
        try {
          if (kind.equals("parser")) {
            String msg = new String(chunk, StandardCharsets.UTF_8);
            Event e = parser.parseMessage(msg, StandardCharsets.UTF_8, keep);
            print(out, enc, e);
          } else if (kind.equals("udp")) {
            Event e = utils.extractEvent(Unpooled.wrappedBuffer(chunk));
            if (e != null) print(out, enc, e);
          } else {
            ByteBuf buf = Unpooled.wrappedBuffer(chunk);
            while (buf.isReadable()) {
              Event e = utils.extractEvent(buf);
              if (e != null) print(out, enc, e);
            }
          }
        } catch (IllegalArgumentException ex) {
          out.append("INVALID\n");
        } catch (RuntimeException ex) {
          out.append("DROP:").append(ex.getClass().getSimpleName()).append("\n");
        }
      }
    }
    System.out.print(out);
  }

  private static void print(StringBuilder out, Base64.Encoder enc, Event e) {
    out.append(e.getHeaders().toString()).append('\t').append(enc.encodeToString(e.getBody())).append('\n');
  }
}
