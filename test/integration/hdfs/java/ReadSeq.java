import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.util.ReflectionUtils;

/** Prints every record of SequenceFiles with Hadoop's own reader: "<keyClass> <valueClass> <codec>" then "key\tvalue" lines. */
public class ReadSeq {
  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    for (String a : args) {
      if (a.startsWith("text:")) {
        // a compressed stream (CompressedStream files): decompressed with the codec Hadoop picks by extension
        Path p = new Path(a.substring(5));
        org.apache.hadoop.io.compress.CompressionCodec codec = new org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodec(p);
        System.out.println("# " + codec.getClass().getName());
        try (java.io.InputStream in = codec.createInputStream(p.getFileSystem(conf).open(p))) {
          System.out.print(new String(in.readAllBytes(), "UTF-8"));
        }
        continue;
      }
      try (SequenceFile.Reader r = new SequenceFile.Reader(conf, SequenceFile.Reader.file(new Path(a)))) {
        System.out.println("# " + r.getKeyClassName() + " " + r.getValueClassName() + " " + (r.getCompressionCodec() == null ? "none" : r.getCompressionCodec().getClass().getName()) + " " + r.getCompressionType());
        Writable k = (Writable) ReflectionUtils.newInstance(r.getKeyClass(), conf);
        Writable v = (Writable) ReflectionUtils.newInstance(r.getValueClass(), conf);
        while (r.next(k, v)) {
          String val = v instanceof org.apache.hadoop.io.BytesWritable
              ? new String(((org.apache.hadoop.io.BytesWritable) v).copyBytes(), "UTF-8") : v.toString();
          System.out.println(k + "\t" + val);
        }
      }
    }
  }
}
