#!/usr/bin/env node
// npm run services -- <command> [names...]
//   start [kafka] [hdfs] [es] [artemis] [hbase] [kdc] [hive] [--foreground]   start (or reuse) services; detached unless --foreground,
//                                              which keeps running and stops them on Ctrl-C / SIGTERM / exit
//   stop [names...]                            stop the named (default: all recorded) services
//   status                                     print the state file with liveness (JSON)
//   download [kafka hdfs hdfs-ha es artemis hbase hive flume orc-tools hive-exec]   only fetch the Maven artefacts (default: all)
import { ensureArtifacts, STATE_FILE } from './lib.mjs';
import { MAVEN_SERVICES, describe, startServices, status, stopServices } from './index.mjs';

const [cmd, ...rest] = process.argv.slice(2);
const flags = rest.filter((a) => a.startsWith('--'));
const names = rest.filter((a) => !a.startsWith('--'));

async function main() {
  switch (cmd) {
    case 'start': {
      const fg = flags.includes('--foreground');
      const { services } = await startServices(names.length ? names : ['kafka', 'hdfs', 'es', 'artemis'], fg ? { owner: process.pid } : {});
      for (const s of Object.values(services)) {
        console.log(
          `${s.name.padEnd(6)} pid ${s.pids.join(',').padEnd(16)} ${describe(s)}  (ready in ${(s.startMs / 1000).toFixed(1)} s; logs ${s.dir})`,
        );
      }
      console.log(`state: ${STATE_FILE}`);
      if (fg) {
        console.log('running in the foreground; Ctrl-C stops them');
        const stop = async () => {
          await stopServices(Object.keys(services));
          process.exit(0);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        setInterval(() => {}, 1 << 30);
      }
      return;
    }
    case 'stop':
      await stopServices(names);
      return;
    case 'status':
      console.log(JSON.stringify(status(), null, 2));
      return;
    case 'download':
      for (const n of names.length ? names.filter((x) => x !== 'kdc') : [...MAVEN_SERVICES, 'hdfs-ha', 'flume', 'orc-tools', 'hive-exec'])
        ensureArtifacts(/** @type {any} */ (n));
      return;
    default:
      console.error(
        'usage: npm run services -- start [kafka hdfs es artemis hbase kdc hive] [--foreground] | stop [names] | status | download [kafka hdfs hdfs-ha es artemis hbase hive flume orc-tools hive-exec]',
      );
      process.exit(2);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
