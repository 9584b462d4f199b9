import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;

/**
 * A NameNode HA pair and one DataNode in this JVM (Hadoop's MiniDFSCluster, HA topology with shared edits), for the
 * flume-ts HDFS sink's failover test. Prints one JSON line with the nameservice, its NameNode ids and HTTP addresses
 * once NameNode 0 is active, then reads commands from stdin, answering each with one line:
 *   failover I J   NameNode I becomes standby, then NameNode J active ("ok")
 *   state          the HA state of each NameNode
 *   quit           shuts the cluster down
 * Usage: java -cp <hdfs-ha lib>/*:<dir> HaCluster <base dir>
 */
public class HaCluster {
  public static void main(String[] args) throws Exception {
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(args[0]).getAbsolutePath());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, false);
    conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
    conf.setInt("dfs.ha.tail-edits.period", 1);
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .nnTopology(MiniDFSNNTopology.simpleHATopology())
        .numDataNodes(1)
        .build();
    cluster.waitActive();
    cluster.transitionToActive(0);
    StringBuilder json = new StringBuilder("{\"nameservice\":\"minidfs-ns\",\"namenodes\":[");
    for (int i = 0; i < 2; i++) {
      InetSocketAddress http = cluster.getNameNode(i).getHttpAddress();
      String id = "nn" + (i + 1); // MiniDFSNNTopology.simpleHATopology()'s NameNode ids
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":\"").append(id).append("\",\"http\":\"127.0.0.1:").append(http.getPort())
          .append("\",\"rpc\":\"127.0.0.1:").append(cluster.getNameNode(i).getNameNodeAddress().getPort()).append("\"}");
    }
    System.out.println(json.append("]}"));
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split("\\s+");
      try {
        if (w[0].equals("failover")) {
          cluster.transitionToStandby(Integer.parseInt(w[1]));
          cluster.transitionToActive(Integer.parseInt(w[2]));
          System.out.println("ok");
        } else if (w[0].equals("state")) {
          System.out.println(cluster.getNamesystem(0).getHAState() + " " + cluster.getNamesystem(1).getHAState());
        } else if (w[0].equals("quit")) {
          break;
        } else {
          System.out.println("error unknown command " + w[0]);
        }
      } catch (Exception e) {
        System.out.println("error " + e);
      }
      System.out.flush();
    }
    cluster.shutdown();
    System.exit(0);
  }
}
