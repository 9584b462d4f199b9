// Test helper run by scripts/services/hbase.mjs: HBase's own Java client creates tables and reads rows back, so that
// flume-ts's writes are checked by HBase, not by flume-ts's reader.
//   java -cp <hbase lib>/*:<classes> HBaseTool <zkHost:zkPort> <command> args...
//     create TABLE[,TABLE...] CF[,CF...] [SPLITKEY...]   create (dropping an existing one first)
//     scan TABLE[,TABLE...]                   one JSON line per cell: table, row, family, qualifier, value (base64), ts
//     split TABLE ROW                         split the region holding ROW at ROW; returns when both daughters are online
//     regions TABLE                           one line per region: start key (base64) and server
//     disable TABLE | enable TABLE | drop TABLE
// With -Dhbasetool.principal=P -Dhbasetool.keytab=K (and -Djava.security.krb5.conf) it logs in from the keytab and talks
// Kerberos (SASL GSSAPI) to a secure HBase: servers hbase/_HOST@<realm of P>, -Dhbasetool.protection (default
// authentication) as hbase.rpc.protection.
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.RegionLocator;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;

public class HBaseTool {
  public static void main(String[] args) throws Exception {
    String[] hp = args[0].split(":");
    Configuration conf = HBaseConfiguration.create();
    conf.set("hbase.zookeeper.quorum", hp[0]);
    conf.set("hbase.zookeeper.property.clientPort", hp[1]);
    conf.setInt("hbase.client.retries.number", 10);
    String principal = System.getProperty("hbasetool.principal");
    if (principal != null) {
      String realm = principal.substring(principal.indexOf('@') + 1);
      conf.set("hadoop.security.authentication", "kerberos");
      conf.set("hbase.security.authentication", "kerberos");
      conf.set("hbase.master.kerberos.principal", "hbase/_HOST@" + realm);
      conf.set("hbase.regionserver.kerberos.principal", "hbase/_HOST@" + realm);
      conf.set("hbase.rpc.protection", System.getProperty("hbasetool.protection", "authentication"));
      org.apache.hadoop.security.UserGroupInformation.setConfiguration(conf);
      org.apache.hadoop.security.UserGroupInformation.loginUserFromKeytab(principal, System.getProperty("hbasetool.keytab"));
    }
    try (Connection conn = ConnectionFactory.createConnection(conf); Admin admin = conn.getAdmin()) {
      if (args[1].equals("create") || args[1].equals("scan")) {
        for (String name : args[2].split(",")) {
          if (args[1].equals("create")) create(admin, TableName.valueOf(name), args);
          else scan(conn, TableName.valueOf(name));
        }
        System.out.flush();
        return;
      }
      TableName t = TableName.valueOf(args[2]);
      switch (args[1]) {
        case "split": split(conn, admin, t, Bytes.toBytes(args[3])); break;
        case "regions": regions(conn, t); break;
        case "disable": admin.disableTable(t); break;
        case "enable": admin.enableTable(t); break;
        case "drop":
          if (admin.tableExists(t)) {
            if (admin.isTableEnabled(t)) admin.disableTable(t);
            admin.deleteTable(t);
          }
          break;
        default: throw new IllegalArgumentException("unknown command " + args[1]);
      }
    }
    System.out.flush();
  }

  static void create(Admin admin, TableName t, String[] args) throws Exception {
    if (admin.tableExists(t)) {
      if (admin.isTableEnabled(t)) admin.disableTable(t);
      admin.deleteTable(t);
    }
    TableDescriptorBuilder b = TableDescriptorBuilder.newBuilder(t);
    for (String cf : args[3].split(",")) b.setColumnFamily(ColumnFamilyDescriptorBuilder.of(cf));
    List<byte[]> splits = new ArrayList<>();
    for (int i = 4; i < args.length; i++) splits.add(Bytes.toBytes(args[i]));
    if (splits.isEmpty()) admin.createTable(b.build());
    else admin.createTable(b.build(), splits.toArray(new byte[0][]));
    System.out.println("created " + t);
  }

  static void scan(Connection conn, TableName t) throws Exception {
    Base64.Encoder b64 = Base64.getEncoder();
    try (Table table = conn.getTable(t); ResultScanner rs = table.getScanner(new Scan())) {
      for (Result r : rs) {
        for (Cell c : r.rawCells()) {
          System.out.println("{\"table\":\"" + t.getNameAsString() + "\",\"row\":\"" + b64.encodeToString(CellUtil.cloneRow(c))
              + "\",\"family\":\"" + b64.encodeToString(CellUtil.cloneFamily(c))
              + "\",\"qualifier\":\"" + b64.encodeToString(CellUtil.cloneQualifier(c))
              + "\",\"value\":\"" + b64.encodeToString(CellUtil.cloneValue(c))
              + "\",\"ts\":" + c.getTimestamp() + "}");
        }
      }
    }
  }

  static void regions(Connection conn, TableName t) throws Exception {
    try (RegionLocator rl = conn.getRegionLocator(t)) {
      for (HRegionLocation l : rl.getAllRegionLocations()) {
        System.out.println(Base64.getEncoder().encodeToString(l.getRegion().getStartKey()) + " " + l.getServerName());
      }
    }
  }

  static void split(Connection conn, Admin admin, TableName t, byte[] row) throws Exception {
    int before;
    try (RegionLocator rl = conn.getRegionLocator(t)) {
      before = rl.getAllRegionLocations().size();
    }
    admin.split(t, row);
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try (RegionLocator rl = conn.getRegionLocator(t)) {
        rl.clearRegionLocationCache();
        List<HRegionLocation> ls = rl.getAllRegionLocations();
        if (ls.size() > before && ls.stream().allMatch(l -> l.getServerName() != null)) {
          System.out.println("split " + ls.size());
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("split of " + t + " not done within 60 s");
  }
}
