// Reads a Hive ACID table back the way Hive itself does: the valid write ids come from the metastore
// (getValidTxns + getValidWriteIds), and hive-exec's OrcInputFormat (AcidUtils directory resolution, the ACID
// row merger) reads every partition. Prints one line per visible row: the partition values then the columns,
// tab-separated, "\N" for null. Usage: HiveAcidCheck thrift://host:port db table
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hive.common.ValidTxnList;
import org.apache.hadoop.hive.common.ValidWriteIdList;
import org.apache.hadoop.hive.conf.HiveConf;
import org.apache.hadoop.hive.metastore.HiveMetaStoreClient;
import org.apache.hadoop.hive.metastore.api.FieldSchema;
import org.apache.hadoop.hive.metastore.api.Partition;
import org.apache.hadoop.hive.metastore.api.Table;
import org.apache.hadoop.hive.metastore.api.TableValidWriteIds;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf;
import org.apache.hadoop.hive.metastore.txn.TxnCommonUtils;
import org.apache.hadoop.hive.ql.io.AcidUtils;
import org.apache.hadoop.hive.ql.io.IOConstants;
import org.apache.hadoop.hive.ql.io.orc.OrcInputFormat;
import org.apache.hadoop.hive.ql.io.orc.OrcStruct;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.RecordReader;
import org.apache.hadoop.mapred.Reporter;

public class HiveAcidCheck {
  /** OrcStruct's field accessor is package-private. */
  private static final java.lang.reflect.Method FIELD;

  static {
    try {
      FIELD = OrcStruct.class.getDeclaredMethod("getFieldValue", int.class);
      FIELD.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    MetastoreConf.setVar(conf, MetastoreConf.ConfVars.THRIFT_URIS, args[0]);
    HiveMetaStoreClient msc = new HiveMetaStoreClient(conf);
    Table t = msc.getTable(args[1], args[2]);
    ValidTxnList txns = msc.getValidTxns();
    String full = args[1] + "." + args[2];
    List<TableValidWriteIds> ids = msc.getValidWriteIds(Collections.singletonList(full), txns.writeToString());
    ValidWriteIdList writeIds = TxnCommonUtils.createValidReaderWriteIdList(ids.get(0));
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (FieldSchema f : t.getSd().getCols()) {
      names.add(f.getName());
      types.add(f.getType());
    }
    JobConf job = new JobConf(conf);
    // Hive's HiveInputFormat copies the table's properties into the job (Utilities.copyTablePropertiesToConf);
    // OrcInputFormat only resolves ACID directories (delta_x_y, base_x) when "transactional" is true there.
    // Without it, the table directory is listed as a plain (non-ACID) one and every delta directory is skipped.
    for (java.util.Map.Entry<String, String> p : t.getParameters().entrySet()) {
      job.set(p.getKey(), p.getValue());
    }
    job.set(ValidTxnList.VALID_TXNS_KEY, txns.writeToString());
    job.set(ValidWriteIdList.VALID_WRITEIDS_KEY, writeIds.writeToString());
    job.set(IOConstants.COLUMNS, String.join(",", names));
    job.set(IOConstants.COLUMNS_TYPES, String.join(":", types));
    job.set(IOConstants.SCHEMA_EVOLUTION_COLUMNS, String.join(",", names));
    job.set(IOConstants.SCHEMA_EVOLUTION_COLUMNS_TYPES, String.join(":", types));
    HiveConf.setBoolVar(job, HiveConf.ConfVars.HIVE_TRANSACTIONAL_TABLE_SCAN, true);
    AcidUtils.setAcidOperationalProperties(job, true, AcidUtils.getAcidOperationalProperties(t.getParameters()));
    List<String[]> places = new ArrayList<>();
    if (t.getPartitionKeysSize() == 0) {
      places.add(new String[] {t.getSd().getLocation(), ""});
    } else {
      for (Partition p : msc.listPartitions(args[1], args[2], (short) -1)) {
        places.add(new String[] {p.getSd().getLocation(), String.join("\t", p.getValues()) + "\t"});
      }
    }
    for (String[] place : places) {
      JobConf j = new JobConf(job);
      FileInputFormat.setInputPaths(j, new Path(place[0]));
      OrcInputFormat format = new OrcInputFormat();
      InputSplit[] splits = format.getSplits(j, 1);
      System.err.println("# " + place[0] + ": " + splits.length + " split(s), write ids " + writeIds.writeToString());
      for (InputSplit split : splits) {
        RecordReader<NullWritable, OrcStruct> rr = format.getRecordReader(split, j, Reporter.NULL);
        NullWritable key = rr.createKey();
        OrcStruct row = rr.createValue();
        while (rr.next(key, row)) {
          StringBuilder sb = new StringBuilder(place[1]);
          for (int i = 0; i < row.getNumFields(); i++) {
            Object v = FIELD.invoke(row, i);
            if (i > 0) sb.append('\t');
            sb.append(v == null ? "\\N" : v.toString());
          }
          System.out.println(sb);
        }
        rr.close();
      }
    }
    msc.close();
  }
}
