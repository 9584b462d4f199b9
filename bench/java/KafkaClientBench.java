// Client-level Kafka bench worker for bench/kafka-clients.mjs: Kafka's Java client (the kafka-clients jar Flume 1.11 ships).
//   produce: N records of 100 B (keys k0..k999), sent in batches of 1000 and flushed, like Flume's KafkaSink
//   consume: a fresh group reads N records from the earliest offsets, committing explicit offsets (commitSync)
//            after each poll of at most 1000 records, like Flume's KafkaSource after its channel commit
// Prints one JSON line: {"events":N,"ms":…,"cpuMs":…,"rssKb":…,"firstMs":…}
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaClientBench {
  public static void main(String[] a) throws Exception {
    String op = a[0], bootstrap = a[1], topic = a[2];
    int n = Integer.parseInt(a[3]);
    String acksOrGroup = a[4];
    if (op.equals("produce")) produce(bootstrap, topic, n, acksOrGroup);
    else consume(bootstrap, topic, n, acksOrGroup);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long rssKb() throws Exception {
    for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
    }
    return -1;
  }

  static void report(int n, long t0, long c0, long firstMs) throws Exception {
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long cpuMs = (cpuNanos() - c0) / 1_000_000;
    System.out.println("{\"events\":" + n + ",\"ms\":" + ms + ",\"cpuMs\":" + cpuMs + ",\"rssKb\":" + rssKb()
        + ",\"firstMs\":" + firstMs + "}");
  }

  static void produce(String bootstrap, String topic, int n, String acks) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", acks);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    byte[] body = new byte[100];
    java.util.Arrays.fill(body, (byte) 'x');
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.partitionsFor(topic); // metadata before the clock starts, as the other clients connect first
      long t0 = System.nanoTime(), c0 = cpuNanos();
      List<Future<RecordMetadata>> futures = new ArrayList<>(1000);
      for (int i = 0; i < n; i += 1000) {
        futures.clear();
        for (int j = i; j < Math.min(n, i + 1000); j++) {
          futures.add(producer.send(new ProducerRecord<>(topic, "k" + (j % 1000), body)));
        }
        producer.flush();
        for (Future<RecordMetadata> f : futures) f.get();
      }
      report(n, t0, c0, 0);
    }
  }

  static void consume(String bootstrap, String topic, int n, String group) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.put("max.poll.records", "1000");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      long t0 = System.nanoTime(), c0 = cpuNanos(), firstMs = -1;
      consumer.subscribe(Collections.singletonList(topic));
      int got = 0;
      long bytes = 0;
      while (got < n) {
        ConsumerRecords<String, byte[]> recs = consumer.poll(Duration.ofMillis(500));
        if (recs.isEmpty()) continue;
        if (firstMs < 0) firstMs = (System.nanoTime() - t0) / 1_000_000;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : recs) {
          bytes += r.value().length;
          offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        got += recs.count();
        consumer.commitSync(offsets);
      }
      report(got, t0, c0, firstMs);
    }
  }
}
