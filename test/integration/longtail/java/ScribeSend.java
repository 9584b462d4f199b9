import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flume.source.scribe.LogEntry;
import org.apache.flume.source.scribe.ResultCode;
import org.apache.flume.source.scribe.Scribe;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * A real Thrift client for Scribe (the Scribe.Client generated in flume-scribe-source, libthrift 0.14, framed
 * transport, binary protocol): sends one Log call per argument and prints each result code on a line.
 * args: <port> <call>...; a call is entries separated by ';', an entry is category=message ('-' for no category,
 * message '\0' for none); the call "null" sends Log(null) and "empty" an empty list.
 */
public class ScribeSend {
  public static void main(String[] args) throws Exception {
    TSocket socket = new TSocket("127.0.0.1", Integer.parseInt(args[0]));
    TFramedTransport transport = new TFramedTransport(socket);
    transport.open();
    Scribe.Client client = new Scribe.Client(new TBinaryProtocol(transport, false, true));
    for (int i = 1; i < args.length; i++) {
      List<LogEntry> list = null;
      if (!args[i].equals("null")) {
        list = new ArrayList<>();
        if (!args[i].equals("empty")) {
          for (String e : args[i].split(";")) {
            int eq = e.indexOf('=');
            LogEntry entry = new LogEntry();
            String cat = e.substring(0, eq);
            String msg = e.substring(eq + 1);
            if (!cat.equals("-")) entry.setCategory(cat);
            if (!msg.equals("\\0")) entry.setMessage(msg);
            list.add(entry);
          }
        }
      }
      ResultCode rc = client.Log(list);
      System.out.println(rc);
    }
    transport.close();
    System.exit(0);
  }
}
