import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.Schema.Type;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads Avro containers written by flume-ts's Twitter source with Avro 1.11 (the jar Flume 1.11 ships), using the
 * schema Flume's TwitterSource builds as the reader schema, and writes the same records again with Avro's
 * DataFileWriter (same sync marker) to compare bytes. Per file prints:
 *   file <path> schemaEqual=<bool> identical=<bool> records=<n>
 *   <record JSON>...
 */
public class TwitterAvroCheck {
  static Schema opt(Type t) {
    return Schema.createUnion(Arrays.asList(Schema.create(t), Schema.create(Type.NULL)));
  }

  /** The schema of Flume 1.11's TwitterSource.createAvroSchema(), rebuilt with Avro's API. */
  static Schema flumeSchema() {
    Schema s = Schema.createRecord("Doc", "adoc", null, false);
    List<Field> f = new ArrayList<>();
    f.add(new Field("id", Schema.create(Type.STRING), null, null));
    String[][] rest = {
      {"user_friends_count", "INT"}, {"user_location", "STRING"}, {"user_description", "STRING"},
      {"user_statuses_count", "INT"}, {"user_followers_count", "INT"}, {"user_name", "STRING"},
      {"user_screen_name", "STRING"}, {"created_at", "STRING"}, {"text", "STRING"}, {"retweet_count", "LONG"},
      {"retweeted", "BOOLEAN"}, {"in_reply_to_user_id", "LONG"}, {"source", "STRING"},
      {"in_reply_to_status_id", "LONG"}, {"media_url_https", "STRING"}, {"expanded_url", "STRING"},
    };
    for (String[] r : rest) f.add(new Field(r[0], opt(Type.valueOf(r[1])), null, null));
    s.setFields(f);
    return s;
  }

  public static void main(String[] args) throws Exception {
    Schema schema = flumeSchema();
    for (String path : args) {
      byte[] bytes = Files.readAllBytes(Paths.get(path));
      List<GenericRecord> records = new ArrayList<>();
      boolean schemaEqual;
      try (DataFileStream<GenericRecord> in =
               new DataFileStream<>(new ByteArrayInputStream(bytes), new GenericDatumReader<GenericRecord>(schema))) {
        schemaEqual = in.getSchema().equals(schema) && in.getMetaString("avro.schema").equals(schema.toString());
        while (in.hasNext()) records.add(in.next());
      }
      byte[] sync = Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema));
      w.create(schema, out, sync);
      for (GenericRecord r : records) w.append(r);
      w.close();
      boolean identical = Arrays.equals(out.toByteArray(), bytes);
      System.out.println("file " + path + " schemaEqual=" + schemaEqual + " identical=" + identical + " records=" + records.size());
      for (GenericRecord r : records) System.out.println(r.toString());
    }
  }
}
