import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  decodeWebsafeBase64,
  parseClientData,
  parseRegistrationData,
  parseSignatureData,
} from '@factorkit/u2f';
import {
  type CborValue,
  decodeBase64url,
  decodeCbor,
  parseAuthenticatorData,
  parseClientDataJSON,
} from '@factorkit/webauthn';
import { explainFormat } from './inspect-attestation.ts';
import { type CliIo, EXIT_FAIL, EXIT_OK, UsageError } from './main.ts';

/** Inputs larger than this are refused (a response is a few kilobytes). */
const MAX_INPUT_BYTES = 4 * 1024 * 1024;

type Explained = Record<string, unknown>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function aaguidString(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function certificate(der: Uint8Array): Explained {
  try {
    const c = new X509Certificate(der);
    return {
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      validFrom: c.validFrom,
      validTo: c.validTo,
      serialNumber: c.serialNumber,
      sha256: c.fingerprint256,
    };
  } catch (error) {
    return { error: `not a parseable X.509 certificate (${(error as Error).message})`, bytes: der.length };
  }
}

function flagsOf(f: {
  up: boolean;
  uv: boolean;
  be: boolean;
  bs: boolean;
  at: boolean;
  ed: boolean;
  value: number;
}): string {
  const on = (['up', 'uv', 'be', 'bs', 'at', 'ed'] as const).filter((k) => f[k]).map((k) => k.toUpperCase());
  return `0x${f.value.toString(16).padStart(2, '0')} (${on.length === 0 ? 'none' : on.join(' ')})`;
}

function authenticatorData(bytes: Uint8Array, names: ReadonlyMap<string, string>): Explained {
  const a = parseAuthenticatorData(bytes);
  const out: Explained = { rpIdHash: hex(a.rpIdHash), flags: flagsOf(a.flags), signCount: a.signCount };
  const acd = a.attestedCredentialData;
  if (acd !== undefined) {
    const aaguid = aaguidString(acd.aaguid);
    out['aaguid'] = aaguid;
    const name = names.get(aaguid);
    if (name !== undefined) out['authenticator'] = name;
    out['credentialId'] = Buffer.from(acd.credentialId).toString('base64url');
    out['publicKey'] = {
      kty: acd.publicKey.kty,
      alg: `${acd.publicKey.alg} (${acd.publicKey.algorithm.name})`,
      ...('curve' in acd.publicKey ? { curve: acd.publicKey.curve.name } : {}),
    };
  }
  if (a.extensions !== undefined) out['extensions'] = [...a.extensions.keys()].map(String);
  return out;
}

function clientDataJSON(b64: unknown): Explained {
  if (typeof b64 !== 'string') throw new TypeError('clientDataJSON must be a base64url string');
  const c = parseClientDataJSON(decodeBase64url(b64));
  return { ...c } as Explained;
}

function attStmt(value: CborValue | undefined): Explained {
  if (!(value instanceof Map)) return {};
  const out: Explained = {};
  const alg = value.get('alg');
  if (typeof alg === 'number') out['alg'] = alg;
  const x5c = value.get('x5c');
  if (Array.isArray(x5c))
    out['x5c'] = x5c.filter((c): c is Uint8Array => c instanceof Uint8Array).map(certificate);
  if (value.get('sig') instanceof Uint8Array) out['sig'] = `${(value.get('sig') as Uint8Array).length} bytes`;
  return out;
}

/** Explains one response; the shape decides what it is. Throws typed errors on malformed input. */
export function explain(
  input: Record<string, unknown>,
  names: ReadonlyMap<string, string> = new Map(),
): Explained {
  // A case file: explain its response.
  if (
    typeof input['kind'] === 'string' &&
    typeof input['response'] === 'object' &&
    input['response'] !== null
  ) {
    return {
      case: input['id'],
      kind: input['kind'],
      ...explain(input['response'] as Record<string, unknown>, names),
    };
  }
  const r = input['response'] as Record<string, unknown> | undefined;
  if (r !== undefined && typeof r['attestationObject'] === 'string') {
    const ao = decodeCbor(decodeBase64url(r['attestationObject']));
    if (!(ao instanceof Map)) throw new TypeError('attestationObject is not a CBOR map');
    const authData = ao.get('authData');
    if (!(authData instanceof Uint8Array)) throw new TypeError('attestationObject has no authData');
    return {
      type: 'WebAuthn registration (RegistrationResponseJSON)',
      id: input['id'],
      fmt: ao.get('fmt'),
      attStmt: { ...attStmt(ao.get('attStmt')), ...explainFormat(ao.get('fmt'), ao.get('attStmt')) },
      authenticatorData: authenticatorData(authData, names),
      clientData: clientDataJSON(r['clientDataJSON']),
      ...(Array.isArray(r['transports']) ? { transports: r['transports'] } : {}),
    };
  }
  if (r !== undefined && typeof r['authenticatorData'] === 'string') {
    return {
      type: 'WebAuthn authentication (AuthenticationResponseJSON)',
      id: input['id'],
      authenticatorData: authenticatorData(decodeBase64url(r['authenticatorData']), names),
      clientData: clientDataJSON(r['clientDataJSON']),
      signature:
        typeof r['signature'] === 'string' ? `${decodeBase64url(r['signature']).length} bytes` : undefined,
      ...(typeof r['userHandle'] === 'string' ? { userHandle: r['userHandle'] } : {}),
    };
  }
  const b64 = { allowStandardAlphabet: true };
  if (typeof input['registrationData'] === 'string') {
    const reg = parseRegistrationData(decodeWebsafeBase64(input['registrationData'], b64));
    return {
      type: 'FIDO U2F registration (RegisterResponse)',
      keyHandle: Buffer.from(reg.keyHandle).toString('base64url'),
      userPublicKey: `${reg.userPublicKey.length}-byte P-256 point`,
      attestationCertificate: certificate(reg.attestationCertificate),
      signature: `${reg.signature.length} bytes`,
      ...(typeof input['clientData'] === 'string'
        ? { clientData: { ...parseClientData(input['clientData'], b64), bytes: undefined } }
        : {}),
    };
  }
  if (typeof input['signatureData'] === 'string') {
    const sig = parseSignatureData(decodeWebsafeBase64(input['signatureData'], b64));
    return {
      type: 'FIDO U2F authentication (SignResponse)',
      ...(typeof input['keyHandle'] === 'string' ? { keyHandle: input['keyHandle'] } : {}),
      userPresence: `0x${sig.userPresence.toString(16).padStart(2, '0')} (${(sig.userPresence & 1) === 1 ? 'user present' : 'user NOT present'})`,
      counter: sig.counter,
      signature: `${sig.signature.length} bytes`,
      ...(typeof input['clientData'] === 'string'
        ? { clientData: { ...parseClientData(input['clientData'], b64), bytes: undefined } }
        : {}),
    };
  }
  throw new TypeError('not a WebAuthn registration/authentication response, a U2F message, or a case file');
}

/** AAGUID → name from a FIDO MDS3 payload (JSON) or blob (JWT). */
function readMetadata(file: string): Map<string, string> {
  let text = readFileSync(file, 'utf8').trim();
  if (!text.startsWith('{')) text = Buffer.from(text.split('.')[1] ?? '', 'base64url').toString('utf8');
  const payload = JSON.parse(text) as {
    entries?: { aaguid?: string; metadataStatement?: { description?: string } }[];
  };
  const names = new Map<string, string>();
  for (const e of payload.entries ?? []) {
    const name = e.metadataStatement?.description;
    if (typeof e.aaguid === 'string' && typeof name === 'string') names.set(e.aaguid.toLowerCase(), name);
  }
  return names;
}

function render(value: unknown, indent: string): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return ` ${String(value)}`;
  if (Array.isArray(value)) {
    return value.map((v, i) => `\n${indent}[${i}]${render(v, `${indent}  `)}`).join('');
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `\n${indent}${k}:${render(v, `${indent}  `)}`)
    .join('');
}

async function readInput(path: string, io: CliIo): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of io.stdin as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_INPUT_BYTES) throw new UsageError('input is too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const file = resolve(io.cwd, path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    throw new UsageError(`no such file: ${path}`);
  }
  if (st.size > MAX_INPUT_BYTES) throw new UsageError('input is too large');
  return readFileSync(file, 'utf8');
}

/**
 * `factorkit inspect <file|->`: decodes a WebAuthn registration/authentication response, a U2F
 * register/sign response, or a case file's response, and explains it — fmt, AAGUID (named when
 * `--mds` metadata knows it), flags, alg, counter, certificate subjects and validity, client data.
 * Nothing is verified.
 */
export async function runInspect(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean', default: false }, mds: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('inspect needs one file (or - for stdin)');
  const text = await readInput(positionals[0] as string, io);
  const names =
    values.mds === undefined ? new Map<string, string>() : readMetadata(resolve(io.cwd, values.mds));
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    io.stderr.write('factorkit inspect: input is not JSON\n');
    return EXIT_FAIL;
  }
  if (typeof input !== 'object' || input === null) {
    io.stderr.write('factorkit inspect: input is not a JSON object\n');
    return EXIT_FAIL;
  }
  try {
    const explained = explain(input as Record<string, unknown>, names);
    io.stdout.write(
      values.json ? `${JSON.stringify(explained)}\n` : `${render(explained, '').trimStart()}\n`,
    );
    return EXIT_OK;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    io.stderr.write(
      `factorkit inspect: ${typeof code === 'string' ? `${code} ` : ''}${(error as Error).message}\n`,
    );
    return EXIT_FAIL;
  }
}
