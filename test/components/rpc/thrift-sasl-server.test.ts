/**
 * The thrift source's SASL server (libthrift's TSaslServerTransport) on what needs no KDC: a client that is not SASL, a
 * mechanism other than GSSAPI, a keytab that is missing; and the hints of the acceptor's errors. The whole exchange with
 * a KDC is in test/integration/rpc/thrift-kerberos-source.test.ts.
 */
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { saslGssapiServer } from '../../../src/components/rpc/thrift/sasl-server.js';
import { BAD, ERROR, MessageReader, message, START } from '../../../src/components/rpc/thrift/sasl.js';
import { explainAcceptError } from '../../../src/components/shared/gss-acceptor.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server running saslGssapiServer on its first connection; resolves to its outcome and a client socket. */
async function pair(keytab = '/nonexistent/flume.keytab') {
  let outcome!: Promise<unknown>;
  const server = net.createServer((s) => {
    s.on('error', () => {});
    outcome = saslGssapiServer(s, { principal: 'flume/h.example.com@EX.COM', keytab, peer: 'p:1', timeoutMs: 5000 }).catch((e: unknown) => {
      s.destroy();
      return e;
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  await new Promise((r) => client.once('connect', r));
  return { client, outcome: () => outcome };
}

describe('thrift SASL server negotiation (no KDC needed)', () => {
  it('a plain framed client is refused at its first byte, with a hint', async () => {
    const { client, outcome } = await pair();
    client.write(Buffer.from([0, 0, 0, 40, 0x82, 0x21]));
    await expect.poll(() => outcome()).toBeDefined();
    const e = (await outcome()) as Error;
    expect(e.message).toMatch(/status byte 0 from p:1 is not a SASL negotiation message \(is kerberos = true on both sides\?\)/);
    client.destroy();
  });

  it('another mechanism gets BAD "Unsupported mechanism type", as from libthrift', async () => {
    const { client, outcome } = await pair();
    const reader = new MessageReader(client, 'closed');
    client.write(message(START, Buffer.from('PLAIN')));
    const m = await reader.next();
    expect(m.status).toBe(BAD);
    expect(m.payload.toString()).toBe('Unsupported mechanism type PLAIN');
    expect(((await outcome()) as { code: string }).code).toBe('FLUME_THRIFT_SASL');
  });

  it('a missing keytab: the client gets ERROR naming the principal; the error names the principal and the path', async () => {
    const keytab = path.join('/nonexistent', 'agent.keytab');
    const { client, outcome } = await pair(keytab);
    const reader = new MessageReader(client, 'closed');
    client.write(message(START, Buffer.from('GSSAPI')));
    const m = await reader.next();
    expect(m.status).toBe(ERROR);
    expect(m.payload.toString()).toBe('the server cannot read the keytab of flume/h.example.com@EX.COM');
    const e = (await outcome()) as { code: string; message: string };
    expect(e.code).toBe('FLUME_KERBEROS');
    expect(e.message).toContain(`Kerberos login as flume/h.example.com@EX.COM: Keytab is not a readable file: ${keytab}`);
  });
});

describe('acceptor error hints', () => {
  const explain = (msg: string) => explainAcceptError(new Error(msg), 'flume/h@EX.COM', '/k.keytab', 'alice@EX.COM (p:1)').message;

  it('clock skew names the skew and what to check', () => {
    expect(explain('gss_accept_sec_context: Unspecified GSS failure: Clock skew too great')).toMatch(
      /Kerberos service flume\/h@EX\.COM could not authenticate alice@EX\.COM \(p:1\): .*Clock skew too great; the client's clock and this host's differ by more than the allowed skew \(krb5\.conf clockskew, 5 minutes by default\): synchronise/,
    );
  });

  it('a ticket for another service names agent-principal and server-principal', () => {
    expect(explain('Cannot decrypt ticket for other/h@EX.COM using keytab key for flume/h@EX.COM')).toMatch(
      /check agent-principal \(flume\/h@EX\.COM\), the clients' server-principal, and the keytab \(klist -kt\)/,
    );
  });

  it('keys that do not match, an expired ticket, a replay', () => {
    expect(explain('Decrypt integrity check failed')).toMatch(/do not match the KDC's .* export the keytab again/);
    expect(explain('Ticket expired')).toMatch(/the client's ticket for flume\/h@EX\.COM has expired/);
    expect(explain('Request is a replay')).toMatch(/a replay/);
  });
});
