// Hive's own bucket number of values (ObjectInspectorUtils.getBucketNumber for bucketing_version 2, the Murmur3
// hash; getBucketNumberOld for version 1), one line per value. Usage: HiveBucketCheck <int|bigint|string> <buckets>
// <version> value...
import org.apache.hadoop.hive.serde2.objectinspector.ObjectInspector;
import org.apache.hadoop.hive.serde2.objectinspector.ObjectInspectorUtils;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorFactory;

public class HiveBucketCheck {
  public static void main(String[] args) {
    String type = args[0];
    int buckets = Integer.parseInt(args[1]);
    int version = Integer.parseInt(args[2]);
    ObjectInspector oi = type.equals("int") ? PrimitiveObjectInspectorFactory.javaIntObjectInspector
        : type.equals("bigint") ? PrimitiveObjectInspectorFactory.javaLongObjectInspector
        : PrimitiveObjectInspectorFactory.javaStringObjectInspector;
    StringBuilder out = new StringBuilder();
    for (int i = 3; i < args.length; i++) {
      Object v = type.equals("int") ? (Object) Integer.valueOf(args[i])
          : type.equals("bigint") ? (Object) Long.valueOf(args[i]) : (Object) args[i];
      Object[] fields = {v};
      ObjectInspector[] ois = {oi};
      int b = version == 2 ? ObjectInspectorUtils.getBucketNumber(fields, ois, buckets)
          : ObjectInspectorUtils.getBucketNumberOld(fields, ois, buckets);
      out.append(b).append('\n');
    }
    System.out.print(out);
  }
}
