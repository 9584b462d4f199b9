// Apache HBase 2.5 standalone with Kerberos on (a variant of hbase.mjs for the Kerberos tests, private to a test file):
// hbase.security.authentication=kerberos, master and region server principal hbase/_HOST@FLUME.TEST from a per-run
// keytab of the harness KDC (kdc.mjs), hbase.rpc.protection as asked (authentication by default). Its ZooKeeper (in the
// same JVM) runs without SASL: HBase only secures znodes when a JAAS `Client` section or a ZooKeeper principal is
// configured (ZKUtil.isSecureZooKeeper), so znodes stay world-readable as in HBase's own secure-RPC test setups.
// `_HOST` on the servers is their host name, set to `localhost` (127.0.0.1's canonical name, from which HBase's client
// derives the principal it asks a ticket for); they still listen on 127.0.0.1 only.
import fs from 'node:fs';
import path from 'node:path';
import { runInstance } from './hbase.mjs';
import { REALM, addPrincipal } from './kdc.mjs';
import { HOST, freePort } from './lib.mjs';

/**
 * @typedef {object} KerberizedHbaseOptions
 * @property {string} kdcDir   run directory of the KDC (ServiceInfo.dir of the kdc service)
 * @property {string} krb5conf its krb5.conf
 * @property {string} [protection] hbase.rpc.protection (default authentication; a comma-separated list accepts each)
 */

/**
 * Starts a private Kerberized HBase in `dir`; the caller stops `pid`.
 * @param {string} dir @param {KerberizedHbaseOptions} o
 * @returns {Promise<{ pid: number, log: string, quorum: string, zkPort: number, serverPrincipal: string }>}
 */
export async function startKerberizedHbase(dir, o) {
  fs.mkdirSync(dir, { recursive: true });
  const keytab = path.join(dir, 'hbase.keytab');
  addPrincipal(o.kdcDir, 'hbase/localhost', { keytab });
  const principal = `hbase/_HOST@${REALM}`;
  const zkPort = await freePort();
  // Hadoop's UserGroupInformation reads core-site.xml, not hbase-site.xml: without it the servers never log in
  fs.mkdirSync(path.join(dir, 'conf'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'conf', 'core-site.xml'),
    '<?xml version="1.0"?>\n<configuration>\n' +
      '  <property><name>hadoop.security.authentication</name><value>kerberos</value></property>\n' +
      '  <property><name>hadoop.security.auth_to_local</name><value>DEFAULT</value></property>\n' +
      '</configuration>\n',
  );
  const { pid, log } = await runInstance(dir, zkPort, {
    site: {
      'hadoop.security.authentication': 'kerberos',
      'hbase.security.authentication': 'kerberos',
      // the servers log in as hbase/<their host name>: localhost, the name clients derive from 127.0.0.1
      'hbase.master.hostname': 'localhost',
      'hbase.regionserver.hostname': 'localhost',
      'hbase.security.authorization': false,
      'hbase.rpc.protection': o.protection ?? 'authentication',
      'hbase.master.kerberos.principal': principal,
      'hbase.master.keytab.file': keytab,
      'hbase.regionserver.kerberos.principal': principal,
      'hbase.regionserver.keytab.file': keytab,
    },
    jvm: [`-Djava.security.krb5.conf=${o.krb5conf}`, '-Dsun.security.krb5.disableReferrals=true'],
  });
  return { pid, log, quorum: `${HOST}:${zkPort}`, zkPort, serverPrincipal: principal };
}

/**
 * JVM options for hbaseTool() (HBase's Java client) to log in as `principal` from `keytab` against a Kerberized HBase.
 * @param {string} krb5conf @param {string} principal @param {string} keytab @param {string} [protection]
 * @returns {string[]}
 */
export function toolJvm(krb5conf, principal, keytab, protection = 'authentication') {
  return [
    `-Djava.security.krb5.conf=${krb5conf}`,
    `-Dhbasetool.principal=${principal}`,
    `-Dhbasetool.keytab=${keytab}`,
    `-Dhbasetool.protection=${protection}`,
  ];
}
