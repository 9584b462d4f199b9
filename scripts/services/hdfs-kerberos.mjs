// HDFS 3.4 with Kerberos on (a variant of hdfs.mjs for the Kerberos tests): hadoop.security.authentication=kerberos,
// NameNode / DataNode / HTTP (SPNEGO) principals and keytabs from the harness KDC (kdc.mjs), SPNEGO on WebHDFS, block
// access tokens, and short delegation-token lifetimes on request. The DataNode runs unprivileged on ordinary ports
// with ignore.secure.ports.for.testing (Hadoop's own switch for tests: no root/jsvc, no SASL data transfer, no TLS).
// Host part of the service principals: `localhost`, the canonical name of 127.0.0.1 (what Hadoop's clients, and
// flume-ts, derive from a URL host by canonicalising it).
import fs from 'node:fs';
import path from 'node:path';
import { start as startHdfs } from './hdfs.mjs';
import { REALM, addPrincipal } from './kdc.mjs';

/**
 * @typedef {object} KerberizedHdfsOptions
 * @property {string} kdcDir   run directory of the KDC (ServiceInfo.dir of the kdc service)
 * @property {string} krb5conf its krb5.conf
 * @property {string[]} [proxyUsers] short names allowed to impersonate (hadoop.proxyuser.<name>.hosts/groups = *)
 * @property {number} [tokenRenewIntervalMs] dfs.namenode.delegation.token.renew-interval (default 24 h)
 * @property {number} [tokenMaxLifetimeMs]   dfs.namenode.delegation.token.max-lifetime (default 7 d)
 */

/**
 * Starts a private Kerberized NameNode + DataNode in `dir`. The caller stops the pids (ServiceInfo.pids).
 * @param {string} dir @param {KerberizedHdfsOptions} o
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function startKerberizedHdfs(dir, o) {
  const keytab = path.join(dir, 'hdfs.keytab');
  const nn = addPrincipal(o.kdcDir, 'nn/localhost', { keytab }).principal;
  const dn = addPrincipal(o.kdcDir, 'dn/localhost', { keytab }).principal;
  const spnego = addPrincipal(o.kdcDir, 'HTTP/localhost', { keytab }).principal;
  /** @type {Record<string, string>} */
  const proxy = {};
  for (const u of o.proxyUsers ?? []) {
    proxy[`hadoop.proxyuser.${u}.hosts`] = '*';
    proxy[`hadoop.proxyuser.${u}.groups`] = '*';
  }
  const info = await startHdfs(dir, {
    core: {
      'hadoop.security.authentication': 'kerberos',
      'hadoop.security.authorization': false,
      'hadoop.rpc.protection': 'authentication',
      'hadoop.security.auth_to_local': 'DEFAULT',
      // SPNEGO on the NameNode's and DataNode's HTTP servers (WebHDFS's AuthFilter takes hadoop.http.authentication.*)
      'hadoop.http.authentication.type': 'kerberos',
      'hadoop.http.authentication.kerberos.principal': spnego,
      'hadoop.http.authentication.kerberos.keytab': keytab,
      'hadoop.http.authentication.simple.anonymous.allowed': false,
      ...proxy,
    },
    hdfs: {
      'dfs.block.access.token.enable': true,
      'dfs.namenode.kerberos.principal': nn,
      'dfs.namenode.keytab.file': keytab,
      'dfs.datanode.kerberos.principal': dn,
      'dfs.datanode.keytab.file': keytab,
      'dfs.web.authentication.kerberos.principal': spnego,
      'dfs.web.authentication.kerberos.keytab': keytab,
      'dfs.namenode.kerberos.internal.spnego.principal': spnego,
      'ignore.secure.ports.for.testing': true,
      'dfs.namenode.delegation.token.renew-interval': o.tokenRenewIntervalMs ?? 86_400_000,
      'dfs.namenode.delegation.token.max-lifetime': o.tokenMaxLifetimeMs ?? 604_800_000,
    },
    jvm: [`-Djava.security.krb5.conf=${o.krb5conf}`],
    // JMX and WebHDFS need SPNEGO now: ready once the DataNode's first block report went in (an empty namespace with
    // safemode.extension 0 and min.datanodes 0 is out of safe mode by then)
    ready: (logDir) => read(path.join(logDir, 'datanode.log')).includes('Successfully sent block report'),
  });
  return { ...info, name: 'hdfs-kerberos', urls: { ...info.urls, realm: REALM, keytab, nn, dn, spnego } };
}

/** @param {string} f */
function read(f) {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
