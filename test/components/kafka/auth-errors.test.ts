import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePrincipal, explainAuthError, kafkaErrorText } from '../../../src/components/kafka/auth-errors.js';

/** kafkajs's shapes: a non-retriable wrapper around the broker's protocol error. */
const wrapped = (type: string, message: string) =>
  Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), {
    name: 'KafkaJSNonRetriableError',
    originalError: Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type }),
  });

const ctx = { principal: 'User:dave', bootstrap: 'b:9093', topics: ['orders'], group: 'g1' };

describe('Kafka authorization errors', () => {
  it('names principal, operation and topic, with the kafka-acls command', () => {
    const m = explainAuthError(wrapped('TOPIC_AUTHORIZATION_FAILED', 'Topic authorization failed'), { ...ctx, role: 'producer' });
    expect(m).toBe(
      "principal User:dave is not authorized to WRITE topic orders (TOPIC_AUTHORIZATION_FAILED); grant it with: kafka-acls.sh --bootstrap-server b:9093 --add --allow-principal 'User:dave' --operation Write --topic orders",
    );
    expect(explainAuthError(wrapped('TOPIC_AUTHORIZATION_FAILED', 'x'), { ...ctx, role: 'consumer' })).toMatch(/to READ topic orders/);
  });

  it('a group refusal, also when kafkajs only says it found no coordinator after logging the refusal', () => {
    const lost = Object.assign(new Error('Failed to find group coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound' });
    expect(explainAuthError(lost, { ...ctx, role: 'consumer' })).toBeUndefined();
    const recent = { text: 'Not authorized to access group: Group authorization failed', at: Date.now() };
    expect(explainAuthError(lost, { ...ctx, role: 'consumer', recent })).toMatch(
      /principal User:dave is not authorized to READ consumer group g1 .* --operation Read --group g1/,
    );
    expect(explainAuthError(lost, { ...ctx, role: 'consumer', recent: { ...recent, at: Date.now() - 60_000 } })).toBeUndefined();
  });

  it('other errors pass through unchanged; SASL failures say what to check', () => {
    expect(kafkaErrorText(new Error('Connection timeout'), { ...ctx, role: 'producer' })).toBe('Connection timeout');
    const sasl = Object.assign(new Error('SASL PLAIN authentication failed: Invalid username or password'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    expect(kafkaErrorText(sasl, { ...ctx, role: 'producer' })).toMatch(/SASL authentication of User:dave .* check sasl\.mechanism/);
  });

  it("the TLS principal is the certificate's subject in RFC 2253 order, taken from a PEM keystore (key first)", () => {
    expect(certificatePrincipal(undefined)).toBeUndefined();
    expect(certificatePrincipal({ cert: 'not a certificate' })).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-principal-'));
    const key = path.join(dir, 'k.pem');
    const crt = path.join(dir, 'c.pem');
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '1',
      '-subj',
      '/C=DE/O=Acme/CN=flume',
    ]);
    expect(r.status).toBe(0);
    const pemKeystore = fs.readFileSync(key, 'utf8') + fs.readFileSync(crt, 'utf8');
    expect(certificatePrincipal({ cert: pemKeystore })).toBe('User:CN=flume,O=Acme,C=DE');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
