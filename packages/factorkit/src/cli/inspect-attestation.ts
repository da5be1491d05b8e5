import {
  type CborValue,
  parseCertInfo,
  parsePubArea,
  parseSafetyNetResponse,
  readAndroidKeyDescription,
  TPM_HASH_ALGORITHMS,
} from '@factorkit/webauthn';

// Format-specific explanations for `factorkit inspect`: the TPM structures, the Android key
// authorization lists and the SafetyNet JWS payload. Read-only decoding: nothing is verified here.

type Explained = Record<string, unknown>;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const TPM_ALG_NAMES: Readonly<Record<number, string>> = {
  1: 'TPM_ALG_RSA',
  4: 'TPM_ALG_SHA1',
  11: 'TPM_ALG_SHA256',
  12: 'TPM_ALG_SHA384',
  13: 'TPM_ALG_SHA512',
  16: 'TPM_ALG_NULL',
  20: 'TPM_ALG_RSASSA',
  22: 'TPM_ALG_RSAPSS',
  24: 'TPM_ALG_ECDSA',
  26: 'TPM_ALG_ECDAA',
  35: 'TPM_ALG_ECC',
};
const alg = (v: number): string => `0x${v.toString(16).padStart(4, '0')} (${TPM_ALG_NAMES[v] ?? 'unknown'})`;
const CURVES: Readonly<Record<number, string>> = {
  3: 'TPM_ECC_NIST_P256',
  4: 'TPM_ECC_NIST_P384',
  5: 'TPM_ECC_NIST_P521',
};

function guarded(f: () => Explained): Explained {
  try {
    return f();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function tpm(stmt: Map<CborValue, CborValue>): Explained {
  const out: Explained = {};
  const pubArea = stmt.get('pubArea');
  const certInfo = stmt.get('certInfo');
  if (pubArea instanceof Uint8Array) {
    out['pubArea'] = guarded(() => {
      const p = parsePubArea(pubArea);
      const common = {
        type: alg(p.type),
        nameAlg: `${alg(p.nameAlg)}${TPM_HASH_ALGORITHMS.has(p.nameAlg) ? '' : ' — cannot compute the name'}`,
        objectAttributes: `0x${p.objectAttributes.toString(16).padStart(8, '0')}`,
        authPolicy: hex(p.authPolicy),
        symmetric: alg(p.symmetric),
        scheme: p.schemeHash === undefined ? alg(p.scheme) : `${alg(p.scheme)} with ${alg(p.schemeHash)}`,
      };
      return p.type === 0x0001
        ? {
            ...common,
            keyBits: p.keyBits,
            exponent: p.exponent === 0 ? '0 (default 65537)' : p.exponent,
            modulus: `${p.unique.length} bytes`,
          }
        : {
            ...common,
            curveID: `${p.curveId} (${CURVES[p.curveId] ?? 'unknown'})`,
            kdf: alg(p.kdf),
            x: hex(p.x),
            y: hex(p.y),
          };
    });
  }
  if (certInfo instanceof Uint8Array) {
    out['certInfo'] = guarded(() => {
      const c = parseCertInfo(certInfo);
      return {
        magic: `0x${c.magic.toString(16)}${c.magic === 0xff544347 ? ' (TPM_GENERATED_VALUE)' : ' — not TPM_GENERATED_VALUE'}`,
        type: `0x${c.type.toString(16)}${c.type === 0x8017 ? ' (TPM_ST_ATTEST_CERTIFY)' : ' — not TPM_ST_ATTEST_CERTIFY'}`,
        qualifiedSigner: hex(c.qualifiedSigner),
        extraData: `${hex(c.extraData)} (must be the hash under alg of authenticatorData ‖ clientDataHash)`,
        clockInfo: { ...c.clockInfo, clock: c.clockInfo.clock.toString() },
        firmwareVersion: hex(c.firmwareVersion),
        ...(c.attested === undefined
          ? {}
          : {
              attested: {
                name: `${hex(c.attested.name)} (must be pubArea.nameAlg ‖ H(pubArea))`,
                qualifiedName: hex(c.attested.qualifiedName),
              },
            }),
      };
    });
  }
  return out;
}

const PURPOSES: Readonly<Record<number, string>> = {
  0: 'ENCRYPT',
  1: 'DECRYPT',
  2: 'SIGN',
  3: 'VERIFY',
  5: 'WRAP_KEY',
  6: 'AGREE_KEY',
  7: 'ATTEST_KEY',
};
const ORIGINS: Readonly<Record<number, string>> = {
  0: 'GENERATED',
  1: 'DERIVED',
  2: 'IMPORTED',
  3: 'UNKNOWN',
  4: 'SECURELY_IMPORTED',
};

/** A decoded ASN.1 value as plain data: OCTET STRINGs as hex, NULL flags as true, sets as arrays. */
function plain(value: unknown): unknown {
  if (value === null) return true;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof ArrayBuffer) return hex(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (typeof value === 'object' && value !== null) {
    const buffer = (value as { buffer?: unknown }).buffer;
    if (buffer instanceof ArrayBuffer) return hex(new Uint8Array(buffer));
    if (Array.isArray(value)) return value.map(plain);
    const out: Explained = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return String(value);
}

function authorizationList(list: object): Explained {
  const out = plain(list) as Explained;
  const purpose = out['purpose'];
  if (Array.isArray(purpose))
    out['purpose'] = purpose.map((p) => `${String(p)} (KM_PURPOSE_${PURPOSES[p as number] ?? '?'})`);
  const origin = out['origin'];
  if (typeof origin === 'number') out['origin'] = `${origin} (KM_ORIGIN_${ORIGINS[origin] ?? '?'})`;
  return out;
}

function androidKey(stmt: Map<CborValue, CborValue>): Explained {
  const x5c = stmt.get('x5c');
  const leaf = Array.isArray(x5c) ? x5c[0] : undefined;
  if (!(leaf instanceof Uint8Array)) return {};
  return {
    keyDescription: guarded(() => {
      const d = readAndroidKeyDescription(leaf);
      if (d === undefined) return { error: 'credCert has no key description extension' };
      return {
        attestationVersion: d.attestationVersion,
        attestationSecurityLevel: d.attestationSecurityLevel,
        keymasterVersion: d.keymasterVersion,
        keymasterSecurityLevel: d.keymasterSecurityLevel,
        attestationChallenge: `${hex(new Uint8Array(d.attestationChallenge.buffer))} (must be clientDataHash)`,
        softwareEnforced: authorizationList(d.softwareEnforced),
        teeEnforced: authorizationList(d.teeEnforced),
      };
    }),
  };
}

function safetyNet(stmt: Map<CborValue, CborValue>): Explained {
  const response = stmt.get('response');
  if (!(response instanceof Uint8Array)) return {};
  return {
    ver: stmt.get('ver'),
    jws: guarded(() => {
      const jws = parseSafetyNetResponse(response);
      const { x5c: _x5c, ...header } = jws.header;
      const ts = jws.payload['timestampMs'];
      return {
        header: { ...header, x5c: `${jws.x5c.length} certificates` },
        payload: {
          ...jws.payload,
          ...(typeof ts === 'number' ? { timestamp: new Date(ts).toISOString() } : {}),
        },
        signature: `${jws.signature.length} bytes`,
      };
    }),
  };
}

/** The format-specific part of an attestation statement explanation. */
export function explainFormat(fmt: unknown, stmt: CborValue | undefined): Explained {
  if (!(stmt instanceof Map)) return {};
  if (fmt === 'tpm') return tpm(stmt);
  if (fmt === 'android-key') return androidKey(stmt);
  if (fmt === 'android-safetynet') return safetyNet(stmt);
  return {};
}
