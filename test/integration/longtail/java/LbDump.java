import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flume.Channel;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.Transaction;
import org.apache.flume.channel.ChannelProcessor;
import org.apache.flume.channel.LoadBalancingChannelSelector;
import org.apache.flume.channel.MemoryChannel;
import org.apache.flume.conf.Configurables;
import org.apache.flume.event.EventBuilder;

/**
 * Drives Flume 1.11's own LoadBalancingChannelSelector through its ChannelProcessor, the way a source does.
 * args: cases <channels>:<policy>:<batch sizes, comma-separated>; events are numbered 0.. in each case; prints, per
 * case, a line "case" and then one line per channel: its event bodies, space-separated.
 */
public class LbDump {
  public static void main(String[] args) throws Exception {
    for (String c : args) {
      System.out.println("case");
      String[] p = c.split(":");
      run(Integer.parseInt(p[0]), p[1], p[2]);
    }
    System.exit(0);
  }

  static void run(int n, String policy, String batches) throws Exception {
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      MemoryChannel ch = new MemoryChannel();
      ch.setName("c" + (i + 1));
      Context cc = new Context();
      cc.put("capacity", "100000");
      cc.put("transactionCapacity", "10000");
      Configurables.configure(ch, cc);
      ch.start();
      channels.add(ch);
    }
    LoadBalancingChannelSelector sel = new LoadBalancingChannelSelector();
    sel.setChannels(channels);
    Context sc = new Context();
    sc.put("policy", policy);
    sel.configure(sc);
    ChannelProcessor proc = new ChannelProcessor(sel);
    int next = 0;
    for (String b : batches.split(",")) {
      int size = Integer.parseInt(b);
      List<Event> batch = new ArrayList<>();
      for (int i = 0; i < size; i++) batch.add(EventBuilder.withBody(String.valueOf(next++), StandardCharsets.UTF_8));
      if (size == 1) proc.processEvent(batch.get(0));
      else proc.processEventBatch(batch);
    }
    for (Channel ch : channels) {
      StringBuilder sb = new StringBuilder();
      Transaction tx = ch.getTransaction();
      tx.begin();
      for (Event e; (e = ch.take()) != null; ) {
        sb.append(sb.length() > 0 ? " " : "").append(new String(e.getBody(), StandardCharsets.UTF_8));
      }
      tx.commit();
      tx.close();
      System.out.println(sb);
    }
  }
}
