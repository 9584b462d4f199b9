/**
 * `flume-ts avro-client`, like `flume-ng avro-client` (Flume's AvroCLIClient): sends text to an Avro source, one event
 * per line (stdin, a file, or every file of a spooling directory), in batches, with optional static headers.
 *
 *   flume-ts avro-client -H host -p port [-F file | --dirname dir] [-R headerFile] [-P rpcProps] [--batch-size N]
 *
 * As in Flume: lines end at \n, \r or \r\n (the terminator is not part of the body); the default batch is 5 events;
 * the header file is a java.util.Properties file read as ISO-8859-1 (use \uXXXX escapes for other characters);
 * --dirname sends each file (oldest first, hidden and *.COMPLETED files skipped) and renames it to NAME.COMPLETED
 * once all its lines were accepted. Differences: bodies are the line's bytes as-is (Flume re-encodes them through
 * the platform charset), and a failure exits with status 1 (Flume logs it and exits 0).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Event } from '../core/event.js';
import { errorMessage, FlumeError } from '../core/errors.js';
import { lastWins, parseProperties } from '../config/properties.js';
import { AvroRpcClient } from '../components/rpc/avro/client.js';
import { clientSecureOptions } from '../components/rpc/tls.js';
import { globalList, globalSsl, splitList } from '../components/rpc/tls.js';
import type { StreamLayers } from '../components/rpc/transport.js';
import type { Command } from './command.js';

export const AVRO_CLIENT_USAGE = `Usage: flume-ts avro-client [options]
  -H, --host HOST          host name of the avro source
  -p, --port PORT          port of the avro source
  -F, --filename FILE      file to send, one event per line (default: stdin)
      --dirname DIR        send every file of a spooling directory; each is renamed to NAME.COMPLETED when done
  -R, --headerFile FILE    headers for every event, as key=value lines (java.util.Properties)
  -P, --rpcProps FILE      RPC client properties (hosts, hosts.<h>, batch-size, compression-type, ssl, …)
      --batch-size N       events per appendBatch call (default 5, as flume-ng avro-client)
  -h, --help               this help

Examples:
  flume-ts avro-client -H 127.0.0.1 -p 41414 -F /var/log/app.log
  tail -n 100 app.log | flume-ng avro-client -H collector -p 41414 -R headers.properties
  flume-ng avro-client -c conf -P rpc.properties --dirname /var/spool/outgoing
`;

/** Splits a byte stream into lines like Java's BufferedReader.readLine (\n, \r or \r\n). */
export class LineSplitter {
  private parts: Buffer[] = [];
  private skipLF = false;

  push(chunk: Buffer, out: Buffer[]): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.skipLF) {
        this.skipLF = false;
        if (c === 0x0a) {
          start = i + 1;
          continue;
        }
      }
      if (c === 0x0a || c === 0x0d) {
        this.parts.push(chunk.subarray(start, i));
        out.push(this.parts.length === 1 ? Buffer.from(this.parts[0]!) : Buffer.concat(this.parts));
        this.parts = [];
        start = i + 1;
        if (c === 0x0d) this.skipLF = true;
      }
    }
    if (start < chunk.length) this.parts.push(chunk.subarray(start));
  }

  /** The last line when the input does not end with a terminator. */
  end(out: Buffer[]): void {
    if (this.parts.length > 0) out.push(Buffer.concat(this.parts));
    this.parts = [];
  }
}

interface Target {
  host: string;
  port: number;
  batchSize: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  layers: StreamLayers;
}

class UsageProblem extends Error {}

function readHeaders(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (err) {
    throw new UsageProblem(`cannot read the header file ${file}: ${errorMessage(err)}`);
  }
  const { entries, diagnostics } = parseProperties(text, file);
  const bad = diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new UsageProblem(`${file}: ${bad.message}`);
  const out: Record<string, string> = {};
  for (const [k, e] of lastWins(entries)) out[k] = e.value;
  return out;
}

/** Flume's RpcClientFactory properties, for the default (single host) client. */
function fromRpcProps(file: string): Target {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (err) {
    throw new UsageProblem(`cannot read the RPC client properties file ${file}: ${errorMessage(err)}`);
  }
  const p = new Map([...lastWins(parseProperties(text, file).entries)].map(([k, e]) => [k, e.value.trim()]));
  const type = p.get('client.type') ?? 'default';
  if (type.toLowerCase() !== 'default')
    process.stderr.write(`flume-ts avro-client: client.type ${type} is not supported; using the default client with the first host\n`);
  const first = (p.get('hosts') ?? '').split(/\s+/).filter(Boolean)[0];
  if (!first) throw new UsageProblem(`${file}: Hosts list is invalid: ${p.get('hosts') ?? ''}`);
  const hp = p.get(`hosts.${first}`);
  const m = hp ? /^(.*):(\d+)$/.exec(hp) : null;
  if (!m) throw new UsageProblem(`${file}: Invalid hostname: ${first} (hosts.${first} = ${hp ?? ''})`);
  const int = (k: string, d: number) => {
    const v = p.get(k);
    const n = v === undefined || v === '' ? d : Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : d;
  };
  const bs = int('batch-size', 100);
  const ct = int('connect-timeout', 20000);
  const rt = int('request-timeout', 20000);
  const layers: StreamLayers = {};
  if ((p.get('compression-type') ?? '').toLowerCase() === 'deflate') layers.deflateLevel = int('compression-level', 6);
  if ((p.get('ssl') ?? '').toLowerCase() === 'true') {
    const g = globalSsl('truststore');
    const excl = splitList(p.get('exclude-protocols') ?? globalList('EXCLUDE_PROTOCOLS'));
    layers.tls = clientSecureOptions(
      {
        ssl: true,
        trustAllCerts: (p.get('trust-all-certs') ?? '').toLowerCase() === 'true',
        storePath: p.get('truststore') ?? g.path,
        storePassword: p.get('truststore-password') ?? g.password,
        storeType: p.get('truststore-type') ?? g.type ?? 'JKS',
        excludeProtocols: [...new Set(['SSLv3', ...excl])],
        includeProtocols: splitList(p.get('include-protocols') ?? globalList('INCLUDE_PROTOCOLS')),
        excludeCipherSuites: [],
        includeCipherSuites: splitList(p.get('include-cipher-suites')),
      },
      'avro-client',
    );
  }
  return {
    host: m[1]!,
    port: Number(m[2]),
    batchSize: bs < 1 ? 100 : bs,
    connectTimeoutMs: ct < 1000 ? 20000 : ct,
    requestTimeoutMs: rt < 1000 ? 20000 : rt,
    layers,
  };
}

/** Sends the lines of `input` in batches; returns the number of events sent. */
async function sendLines(input: Readable, client: AvroRpcClient, batchSize: number, headers: Record<string, string>): Promise<number> {
  const splitter = new LineSplitter();
  let batch: Event[] = [];
  let sent = 0;
  const lines: Buffer[] = [];
  const flush = async (all: boolean) => {
    for (const body of lines) batch.push({ headers: { ...headers }, body });
    lines.length = 0;
    while (batch.length >= batchSize || (all && batch.length > 0)) {
      const chunk = batch.slice(0, batchSize);
      batch = batch.slice(chunk.length);
      await client.appendBatch(chunk);
      sent += chunk.length;
    }
  };
  for await (const chunk of input) {
    splitter.push(chunk as Buffer, lines);
    if (lines.length > 0) await flush(false);
  }
  splitter.end(lines);
  await flush(true);
  return sent;
}

function spoolFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new UsageProblem(`cannot read the directory ${dir}: ${errorMessage(err)}`);
  }
  return names
    .filter((n) => !n.startsWith('.') && !n.endsWith('.COMPLETED'))
    .map((n) => path.join(dir, n))
    .filter((f) => fs.statSync(f).isFile())
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs || a.localeCompare(b));
}

export async function avroClientMain(argv: string[]): Promise<number> {
  const err = (m: string) => process.stderr.write(`flume-ts avro-client: ${m}\n`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', short: 'H' },
        port: { type: 'string', short: 'p' },
        filename: { type: 'string', short: 'F' },
        dirname: { type: 'string' },
        headerFile: { type: 'string', short: 'R' },
        rpcProps: { type: 'string', short: 'P' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    err(errorMessage(e));
    process.stderr.write(AVRO_CLIENT_USAGE);
    return 2;
  }
  if (values.help) {
    process.stdout.write(AVRO_CLIENT_USAGE);
    return 0;
  }
  let client: AvroRpcClient | undefined;
  let sent = 0;
  try {
    if (values.filename && values.dirname) throw new UsageProblem('--filename and --dirname options cannot be used simultaneously');
    let target: Target;
    if (values.rpcProps) target = fromRpcProps(values.rpcProps as string);
    else {
      if (!values.port && !values.host) throw new UsageProblem('Either --rpcProps or both --host and --port must be specified.');
      if (!values.port) throw new UsageProblem('You must specify a port to connect to with --port');
      if (!values.host) throw new UsageProblem('You must specify a hostname to connect to with --host');
      const port = Number(values.port);
      if (!/^\d+$/.test(values.port as string) || port > 65535) throw new UsageProblem(`invalid port "${values.port}"`);
      target = { host: values.host as string, port, batchSize: 5, connectTimeoutMs: 20000, requestTimeoutMs: 20000, layers: {} };
    }
    if (values['batch-size'] !== undefined) {
      const n = Number(values['batch-size']);
      if (!Number.isInteger(n) || n < 1) throw new UsageProblem(`invalid --batch-size "${values['batch-size']}"`);
      target.batchSize = n;
    }
    const headers = values.headerFile ? readHeaders(values.headerFile as string) : {};
    const files = values.dirname ? spoolFiles(values.dirname as string) : undefined;
    if (values.filename) fs.accessSync(values.filename as string, fs.constants.R_OK);
    client = await AvroRpcClient.connect({
      host: target.host,
      port: target.port,
      connectTimeoutMs: target.connectTimeoutMs,
      requestTimeoutMs: target.requestTimeoutMs,
      batchSize: target.batchSize,
      ...target.layers,
    });
    if (files) {
      for (const f of files) {
        sent += await sendLines(fs.createReadStream(f), client, target.batchSize, headers);
        const done = `${f}.COMPLETED`;
        if (fs.existsSync(done))
          throw new FlumeError(
            'FLUME_AVRO_CLIENT',
            `File name has been re-used with different files. Spooling assumptions violated for ${done}`,
          );
        fs.renameSync(f, done);
      }
    } else {
      const input = values.filename ? fs.createReadStream(values.filename as string) : process.stdin;
      sent += await sendLines(input, client, target.batchSize, headers);
    }
    err(`sent ${sent} events to ${target.host}:${target.port}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageProblem) {
      err(e.message);
      return 2;
    }
    err(`${sent} events sent, then: ${errorMessage(e)}`);
    return 1;
  } finally {
    client?.close();
  }
}

export const avroClientCommand: Command = {
  summary: 'send lines to an avro source: flume-ts avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE]',
  run: (argv) => avroClientMain(argv),
};
