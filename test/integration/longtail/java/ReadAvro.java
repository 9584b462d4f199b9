import java.io.File;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;

/** Avro's Java reader: prints each file's schema, codec and records (GenericData's JSON-like text), one per line. */
public class ReadAvro {
  public static void main(String[] args) throws Exception {
    for (String f : args) {
      try (DataFileReader<Object> r = new DataFileReader<>(new File(f), new GenericDatumReader<>())) {
        System.out.println("schema " + r.getSchema());
        System.out.println("codec " + r.getMetaString("avro.codec"));
        for (Object o : r) System.out.println(GenericData.get().toString(o));
      }
    }
    System.exit(0);
  }
}
