/**
 * The GSSAPI *acceptor* side (a Kerberos service), which the `kerberos` npm package cannot do fully: its
 * KerberosServer has no wrap/unwrap, and SASL GSSAPI's last step (RFC 4752 security-layer negotiation) needs both on
 * the accepted context. This calls MIT's libgssapi_krb5.so.2 directly through `koffi` (an FFI library whose npm
 * package ships prebuilt binaries: nothing is compiled at install). Both are loaded lazily, on the first secure
 * connection, so agents without Kerberos never load them.
 *
 * The acceptor's keytab is registered process-wide (krb5_gss_register_acceptor_identity), which fits Flume's rule of
 * one principal and keytab per agent. Keytab contents are never read here.
 */
import { FlumeError } from '../../core/errors.js';

const GSS_C_ACCEPT = 2;
const GSS_C_GSS_CODE = 1;
const GSS_C_MECH_CODE = 2;
const GSS_S_CONTINUE_NEEDED = 1;
/** major status: routine errors live in bits 16-23, calling errors in 24-31 */
const GSS_ERROR_MASK = 0xffff0000;

interface GssBuffer {
  length: number | bigint;
  value: unknown;
}

type Fn = (...args: unknown[]) => number;
interface Binding {
  koffi: typeof import('koffi').default;
  nameType: unknown;
  importName: Fn;
  acquireCred: Fn;
  accept: Fn;
  wrap: Fn;
  unwrap: Fn;
  displayName: Fn;
  displayStatus: Fn;
  releaseBuffer: Fn;
  releaseName: Fn;
  releaseCred: Fn;
  deleteContext: Fn;
  registerKeytab: (path: string) => number;
}

let binding: Binding | undefined;

async function load(principal: string): Promise<Binding> {
  if (binding) return binding;
  let koffi: typeof import('koffi').default;
  try {
    const m = (await import('koffi')) as unknown as { default?: typeof import('koffi').default };
    koffi = (m.default ?? m) as typeof import('koffi').default;
  } catch (e) {
    throw new FlumeError(
      'FLUME_KERBEROS',
      `Kerberos service ${principal}: the optional \`koffi\` module cannot be loaded (${(e as Error).message}); reinstall flume-ts with its optional dependencies`,
      { cause: e, retriable: true },
    );
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('libgssapi_krb5.so.2');
  } catch (e) {
    throw new FlumeError(
      'FLUME_KERBEROS',
      `Kerberos service ${principal}: MIT's libgssapi_krb5.so.2 cannot be loaded (${(e as Error).message}); install MIT Kerberos (Debian: libgssapi-krb5-2)`,
      { cause: e, retriable: true },
    );
  }
  binding = bind(koffi, lib);
  return binding;
}

function bind(koffi: typeof import('koffi').default, lib: ReturnType<typeof koffi.load>): Binding {
  koffi.struct('gss_buffer_desc', { length: 'size_t', value: 'void *' });
  const f = (proto: string) => lib.func(proto) as unknown as Fn;
  // GSS_KRB5_NT_PRINCIPAL_NAME is an exported `gss_OID` variable: read the pointer it holds
  const nameType = koffi.decode(lib.symbol('GSS_KRB5_NT_PRINCIPAL_NAME'), 'void *');
  return {
    koffi,
    nameType,
    importName: f('uint32_t gss_import_name(_Out_ uint32_t *minor, gss_buffer_desc *name, void *type, _Out_ void **out)'),
    acquireCred: f(
      'uint32_t gss_acquire_cred(_Out_ uint32_t *minor, void *name, uint32_t time, void *mechs, int usage, ' +
        '_Out_ void **cred, void *actual, void *rec)',
    ),
    accept: f(
      'uint32_t gss_accept_sec_context(_Out_ uint32_t *minor, _Inout_ void **ctx, void *cred, gss_buffer_desc *in, void *cb, ' +
        '_Out_ void **src, void *mech, _Out_ gss_buffer_desc *out, _Out_ uint32_t *flags, void *rec, void *deleg)',
    ),
    wrap: f(
      'uint32_t gss_wrap(_Out_ uint32_t *minor, void *ctx, int conf, uint32_t qop, gss_buffer_desc *in, void *state, ' +
        '_Out_ gss_buffer_desc *out)',
    ),
    unwrap: f(
      'uint32_t gss_unwrap(_Out_ uint32_t *minor, void *ctx, gss_buffer_desc *in, _Out_ gss_buffer_desc *out, void *state, void *qop)',
    ),
    displayName: f('uint32_t gss_display_name(_Out_ uint32_t *minor, void *name, _Out_ gss_buffer_desc *out, void *type)'),
    displayStatus: f(
      'uint32_t gss_display_status(_Out_ uint32_t *minor, uint32_t status, int type, void *mech, _Inout_ uint32_t *ctx, ' +
        '_Out_ gss_buffer_desc *out)',
    ),
    releaseBuffer: f('uint32_t gss_release_buffer(_Out_ uint32_t *minor, gss_buffer_desc *buf)'),
    releaseName: f('uint32_t gss_release_name(_Out_ uint32_t *minor, _Inout_ void **name)'),
    releaseCred: f('uint32_t gss_release_cred(_Out_ uint32_t *minor, _Inout_ void **cred)'),
    deleteContext: f('uint32_t gss_delete_sec_context(_Out_ uint32_t *minor, _Inout_ void **ctx, void *out)'),
    registerKeytab: f('uint32_t krb5_gss_register_acceptor_identity(const char *keytab)') as (path: string) => number,
  };
}

const failed = (major: number) => (major & GSS_ERROR_MASK) >>> 0 !== 0;

/** Copies a GSS output buffer into a Node Buffer and releases it. */
function take(b: Binding, out: GssBuffer): Buffer {
  const len = Number(out.length);
  const copy = len > 0 && out.value ? Buffer.from(new Uint8Array(b.koffi.view(out.value, len)).slice()) : Buffer.alloc(0);
  b.releaseBuffer([0], out);
  return copy;
}

function statusText(b: Binding, status: number, type: number): string {
  const parts: string[] = [];
  const ctx = [0];
  for (let i = 0; i < 8; i++) {
    const out: GssBuffer = { length: 0, value: null };
    if (failed(b.displayStatus([0], status, type, null, ctx, out))) break;
    parts.push(take(b, out).toString('utf8'));
    if (ctx[0] === 0) break;
  }
  return parts.join('; ');
}

/** MIT's text for a failed GSS call: the routine's message, then the mechanism's (the useful one). */
export class GssError extends FlumeError {
  constructor(
    call: string,
    readonly major: number,
    readonly minor: number,
    text: string,
  ) {
    super('FLUME_KERBEROS', `${call}: ${text}`, { retriable: true });
  }
}

function check(b: Binding, call: string, major: number, minor: number[]): void {
  if (!failed(major)) return;
  const mech = minor[0] ? statusText(b, minor[0], GSS_C_MECH_CODE) : '';
  const gss = statusText(b, major, GSS_C_GSS_CODE);
  throw new GssError(call, major, minor[0] ?? 0, mech ? `${gss}: ${mech}` : gss);
}

const input = (data: Buffer): GssBuffer => ({ length: data.length, value: data.length ? data : null });

/** One accepted GSS security context (a connection's). */
export class GssAcceptContext {
  private ctx: unknown[] = [null];
  private cred: unknown[] = [null];
  private peerName: string | undefined;
  complete = false;

  constructor(private readonly b: Binding) {}

  /** Acquires the acceptor credential of `principal` (a key for it must be in the registered keytab). */
  acquire(principal: string): void {
    const b = this.b;
    const minor = [0];
    const name: unknown[] = [null];
    const text = Buffer.from(principal);
    check(b, 'gss_import_name', b.importName(minor, input(text), b.nameType, name), minor);
    try {
      check(b, 'gss_acquire_cred', b.acquireCred(minor, name[0], 0, null, GSS_C_ACCEPT, this.cred, null, null), minor);
    } finally {
      b.releaseName([0], name);
    }
  }

  /** One step of gss_accept_sec_context: the token to send back (possibly empty). */
  step(token: Buffer): Buffer {
    const b = this.b;
    const minor = [0];
    const src: unknown[] = [null];
    const out: GssBuffer = { length: 0, value: null };
    const major = b.accept(minor, this.ctx, this.cred[0], input(token), null, src, null, out, [0], null, null);
    const reply = take(b, out);
    check(b, 'gss_accept_sec_context', major, minor);
    if ((major & 0xffff) !== GSS_S_CONTINUE_NEEDED) {
      this.complete = true;
      const shown: GssBuffer = { length: 0, value: null };
      try {
        check(b, 'gss_display_name', b.displayName(minor, src[0], shown, null), minor);
        this.peerName = take(b, shown).toString('utf8');
      } finally {
        b.releaseName([0], src);
      }
    } else if (src[0]) {
      b.releaseName([0], src);
    }
    return reply;
  }

  /** The authenticated client principal (after the context is complete). */
  get peer(): string {
    return this.peerName ?? '';
  }

  /** gss_wrap, integrity only (conf_req_flag 0), as Java's GssKrb5Server wraps its offer. */
  wrap(data: Buffer): Buffer {
    const b = this.b;
    const minor = [0];
    const out: GssBuffer = { length: 0, value: null };
    check(b, 'gss_wrap', b.wrap(minor, this.ctx[0], 0, 0, input(data), null, out), minor);
    return take(b, out);
  }

  unwrap(token: Buffer): Buffer {
    const b = this.b;
    const minor = [0];
    const out: GssBuffer = { length: 0, value: null };
    check(b, 'gss_unwrap', b.unwrap(minor, this.ctx[0], input(token), out, null, null), minor);
    return take(b, out);
  }

  dispose(): void {
    if (this.ctx[0]) this.b.deleteContext([0], this.ctx, null);
    if (this.cred[0]) this.b.releaseCred([0], this.cred);
    this.ctx = [null];
    this.cred = [null];
  }
}

let registered: string | undefined;

/**
 * A new acceptor context for `principal` with keys from `keytab`. The keytab is registered for the whole process (the
 * one-principal-per-agent rule keeps it the same). Throws GssError (FLUME_KERBEROS, MIT's text) when the credential
 * cannot be acquired.
 */
export async function gssAcceptor(principal: string, keytab: string): Promise<GssAcceptContext> {
  const b = await load(principal);
  if (registered !== keytab) {
    if (failed(b.registerKeytab(keytab))) {
      throw new FlumeError('FLUME_KERBEROS', `Kerberos service ${principal}: cannot use the keytab ${keytab}`, { retriable: true });
    }
    registered = keytab;
  }
  const c = new GssAcceptContext(b);
  try {
    c.acquire(principal);
  } catch (e) {
    c.dispose();
    throw e;
  }
  return c;
}

/**
 * A failure of the service side as a FlumeError naming the service principal, the keytab, the client (when known) and
 * what to check. MIT's messages hold no key material.
 */
export function explainAcceptError(e: unknown, principal: string, keytab: string, client: string): FlumeError {
  if (e instanceof FlumeError && e.code !== 'FLUME_KERBEROS') return e;
  const msg = e instanceof Error ? e.message : String(e);
  let hint: string;
  if (/clock skew|not yet valid/i.test(msg)) {
    hint =
      "the client's clock and this host's differ by more than the allowed skew (krb5.conf clockskew, 5 minutes by default): " +
      'synchronise the clocks of both hosts (NTP)';
  } else if (/Keytab is not a readable file/.test(msg)) {
    return e as FlumeError;
  } else if (
    /Cannot decrypt ticket for \S+ using keytab key for|No key table entry|Key table entry not found|Wrong principal in request|Cannot find key/i.test(
      msg,
    )
  ) {
    hint =
      `the keytab ${keytab} has no key for the service principal asked for: check agent-principal (${principal}), ` +
      "the clients' server-principal, and the keytab (klist -kt)";
  } else if (/Decrypt integrity check failed|bad encryption type|kvno|Key version/i.test(msg)) {
    hint = `the keys in ${keytab} do not match the KDC's for ${principal} (an outdated keytab? a new kvno?): export the keytab again`;
  } else if (/expired/i.test(msg)) {
    hint = `the client's ticket for ${principal} has expired: the client must get a new one (check its keytab and the KDC)`;
  } else if (/replay/i.test(msg)) {
    hint = "this client's authenticator was seen before (a replay, or two requests in the same microsecond): the client retries";
  } else {
    hint = `check agent-principal ${principal}, the keytab ${keytab}, krb5.conf and the client's server-principal`;
  }
  return new FlumeError('FLUME_KERBEROS', `Kerberos service ${principal} could not authenticate ${client}: ${msg}; ${hint}`, {
    cause: e,
    retriable: true,
  });
}
