/**
 * Turns the broker's authorization and authentication refusals, which kafkajs reports as "Not authorized to access
 * topics: [Topic authorization failed]", into messages that name the principal, the operation and the resource, and
 * say how to grant it (kafka-acls). Secrets never appear: the principal is `User:<name>` or the client certificate's
 * subject, as the broker sees it.
 */
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { errorMessage } from '../../core/errors.js';

export interface AuthContext {
  /** The principal the broker sees (`User:alice`, `User:CN=client`, `User:ANONYMOUS`). */
  principal: string;
  bootstrap: string;
  role: 'producer' | 'consumer';
  topics: readonly string[];
  group?: string;
  /**
   * The last authorization refusal the client logged (kafkajs loses it when it gives up finding the group coordinator:
   * "Failed to find group coordinator"), with when it was seen.
   */
  recent?: { text: string; at: number };
}

interface KafkaLikeError {
  name?: string;
  type?: string;
  originalError?: unknown;
  cause?: unknown;
}

/** The broker error code (`type`) or kafkajs error name found along the error's cause chain. */
function codesOf(err: unknown, recent?: AuthContext['recent']): { types: Set<string>; names: Set<string> } {
  const types = new Set<string>();
  const names = new Set<string>();
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const k = e as KafkaLikeError;
    if (k.type) types.add(k.type);
    if (k.name) names.add(k.name);
    e = k.originalError ?? k.cause;
  }
  if (/Not authorized to access topics/i.test(errorMessage(err))) types.add('TOPIC_AUTHORIZATION_FAILED');
  if (/Not authorized to access group/i.test(errorMessage(err))) types.add('GROUP_AUTHORIZATION_FAILED');
  const fresh = recent && Date.now() - recent.at < 30_000 ? recent.text : '';
  if (names.has('KafkaJSGroupCoordinatorNotFound') && /Not authorized to access group/i.test(fresh)) {
    types.add('GROUP_AUTHORIZATION_FAILED');
  }
  return { types, names };
}

/** A clear message for an authorization/authentication refusal, or undefined for any other error. */
export function explainAuthError(err: unknown, c: AuthContext): string | undefined {
  const { types, names } = codesOf(err, c.recent);
  const acl = (op: string, res: string) =>
    `grant it with: kafka-acls.sh --bootstrap-server ${c.bootstrap} --add --allow-principal '${c.principal}' --operation ${op} ${res}`;
  const topics = c.topics.join(', ');
  if (types.has('TOPIC_AUTHORIZATION_FAILED')) {
    const op = c.role === 'producer' ? 'WRITE' : 'READ';
    const opName = op === 'WRITE' ? 'Write' : 'Read';
    return (
      `principal ${c.principal} is not authorized to ${op} topic ${topics} (TOPIC_AUTHORIZATION_FAILED); ` +
      acl(opName, c.topics.map((t) => `--topic ${t}`).join(' '))
    );
  }
  if (types.has('GROUP_AUTHORIZATION_FAILED')) {
    return (
      `principal ${c.principal} is not authorized to READ consumer group ${c.group ?? '?'} (GROUP_AUTHORIZATION_FAILED); ` +
      acl('Read', `--group ${c.group ?? '<group.id>'}`)
    );
  }
  if (types.has('CLUSTER_AUTHORIZATION_FAILED')) {
    return (
      `principal ${c.principal} is not authorized on the cluster (CLUSTER_AUTHORIZATION_FAILED; an idempotent producer needs ` +
      `IDEMPOTENT_WRITE); ${acl('IdempotentWrite', '--cluster')}`
    );
  }
  if (names.has('KafkaJSSASLAuthenticationError') || types.has('SASL_AUTHENTICATION_FAILED')) {
    return (
      `SASL authentication of ${c.principal} at ${c.bootstrap} failed: ${errorMessage(err)}; ` +
      'check sasl.mechanism and the username/password in sasl.jaas.config'
    );
  }
  return undefined;
}

/** The error text to log and report: the explanation when it is an authorization refusal, else the error's message. */
export function kafkaErrorText(err: unknown, c: AuthContext): string {
  return explainAuthError(err, c) ?? errorMessage(err);
}

/**
 * Kafka's default principal for a TLS client: `User:` + the certificate subject in RFC 2253 order (most specific RDN
 * first), as javax.security.auth.x500.X500Principal#getName() prints it. Undefined when no PEM certificate is at hand.
 */
export function certificatePrincipal(tls: ConnectionOptions | undefined): string | undefined {
  const cert = tls?.cert;
  if (!cert || Array.isArray(cert)) return undefined;
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(cert.toString())?.[0];
  if (!pem) return undefined;
  try {
    const x = new X509Certificate(pem);
    return `User:${x.subject.split('\n').reverse().join(',')}`;
  } catch {
    return undefined;
  }
}
