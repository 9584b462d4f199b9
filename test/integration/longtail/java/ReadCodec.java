import java.io.FileInputStream;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.util.ReflectionUtils;

/** Hadoop's own codec reads a file: args <codec class> <file>; the decompressed bytes go to stdout. */
public class ReadCodec {
  public static void main(String[] args) throws Exception {
    Class<?> c = Class.forName(args[0]);
    CompressionCodec codec = (CompressionCodec) ReflectionUtils.newInstance(c, new Configuration());
    try (InputStream in = codec.createInputStream(new FileInputStream(args[1]))) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) System.out.write(buf, 0, n);
    }
    System.out.flush();
    System.exit(0);
  }
}
