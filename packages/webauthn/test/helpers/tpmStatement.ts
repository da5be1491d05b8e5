import type {
  CborValue,
  CertificateExtension,
  CoseAlgorithmName,
  SigningKey,
} from '@factorkit/virtual-authenticator';
import type { CosePublicKey } from '../../src/cose.ts';
import { type BaseRegistration, concat, issueLeaf, sha, testCaChain, testKey } from './statements.ts';

// A TPM (§8.3) statement assembled by the test, with a knob per requirement.

export const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
export const u32 = (v: number): Uint8Array =>
  Uint8Array.of(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
export const tpm2b = (b: Uint8Array): Uint8Array => concat(u16(b.length), b);
export const oidBytes = (dotted: string): Uint8Array => {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const a of arcs.slice(2)) {
    const b = [a & 0x7f];
    for (let v = a >> 7; v > 0; v >>= 7) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return tlv(0x06, Uint8Array.from(out));
};
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.of(tag, ...len), content);
}
export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(...items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(...items));
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));

export const NAME_SHA256 = 0x000b;

export interface TpmKnobs {
  credential?: CoseAlgorithmName;
  aik?: CoseAlgorithmName;
  alg?: number;
  ver?: CborValue;
  magic?: number;
  type?: number;
  extraData?: (right: Uint8Array) => Uint8Array;
  /** Attested name: default nameAlg ‖ H(pubArea). */
  name?: (pubArea: Uint8Array) => Uint8Array;
  pubAreaNameAlg?: number;
  pubAreaKey?: (key: CosePublicKey) => { n?: Uint8Array; x?: Uint8Array; y?: Uint8Array; exponent?: number };
  subject?: [string, string][];
  san?: CertificateExtension | null;
  manufacturer?: string;
  ekus?: string[] | null;
  basicConstraints?: CertificateExtension | null;
  aaguidExtension?: Uint8Array | null;
  omit?: string;
  extraMember?: boolean;
  sign?: (key: SigningKey, certInfo: Uint8Array) => Uint8Array;
}

function pubAreaFor(
  key: CosePublicKey,
  nameAlg: number,
  override: ReturnType<NonNullable<TpmKnobs['pubAreaKey']>>,
): Uint8Array {
  const attrs = u32(0x00060472);
  if (key.kty === 'RSA') {
    const n = override.n ?? key.n;
    // scheme RSASSA with its hashAlg (SHA-256)
    return concat(
      u16(0x0001),
      u16(nameAlg),
      attrs,
      tpm2b(new Uint8Array(0)),
      u16(0x0010),
      u16(0x0014),
      u16(0x000b),
      u16(n.length * 8),
      u32(override.exponent ?? 0),
      tpm2b(n),
    );
  }
  if (key.kty !== 'EC2') throw new Error('no OKP in TPM');
  const curveId = { 1: 0x0003, 2: 0x0004, 3: 0x0005 }[key.curve.crv as 1 | 2 | 3];
  // scheme NULL, as Windows Hello keys carry it
  return concat(
    u16(0x0023),
    u16(nameAlg),
    attrs,
    tpm2b(new Uint8Array(0)),
    u16(0x0010),
    u16(0x0010),
    u16(curveId),
    u16(0x0010),
    tpm2b(override.x ?? key.x),
    tpm2b(override.y ?? key.y),
  );
}

const HASH: Record<number, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  [-257]: 'sha256',
  [-37]: 'sha256',
  [-7]: 'sha256',
  [-35]: 'sha384',
  [-65535]: 'sha1',
};

export function tpmStatement(base: BaseRegistration, k: TpmKnobs = {}): Map<string, CborValue> {
  const aikAlg = k.aik ?? 'RS256';
  const aik = testKey(aikAlg, `tpm-aik/${aikAlg}`);
  const alg = k.alg ?? aik.coseAlg;
  const nameAlg = k.pubAreaNameAlg ?? NAME_SHA256;
  const pubArea = pubAreaFor(base.credentialKey, nameAlg, k.pubAreaKey?.(base.credentialKey) ?? {});
  const defaultName = concat(u16(nameAlg), sha(nameAlg === 0x0004 ? 'sha1' : 'sha256', pubArea));
  const name = k.name?.(pubArea) ?? defaultName;
  const rightExtra = sha(HASH[alg] ?? 'sha256', concat(base.authData, base.clientDataHash));
  const certInfo = concat(
    u32(k.magic ?? 0xff544347),
    u16(k.type ?? 0x8017),
    tpm2b(concat(u16(NAME_SHA256), sha('sha256', aik.spki))),
    tpm2b(k.extraData?.(rightExtra) ?? rightExtra),
    new Uint8Array(8),
    u32(1),
    u32(0),
    Uint8Array.of(1),
    new Uint8Array(8),
    tpm2b(name),
    tpm2b(concat(u16(NAME_SHA256), sha('sha256', name))),
  );
  const attr = (o: string, v: string): Uint8Array => set(seq(oidBytes(o), utf8(v)));
  const san: CertificateExtension = {
    oid: '2.5.29.17',
    critical: true,
    value: seq(
      tlv(
        0xa4,
        seq(
          attr('2.23.133.2.1', k.manufacturer ?? 'id:49465800'),
          attr('2.23.133.2.2', 'SLB9670'),
          attr('2.23.133.2.3', 'id:0007'),
        ),
      ),
    ),
  };
  const extensions: CertificateExtension[] = [];
  const bc =
    k.basicConstraints === undefined
      ? { oid: '2.5.29.19', critical: true, value: seq() }
      : k.basicConstraints;
  if (bc !== null) extensions.push(bc);
  const sanExt = k.san === undefined ? san : k.san;
  if (sanExt !== null) extensions.push(sanExt);
  const ekus = k.ekus === undefined ? ['2.23.133.8.3'] : k.ekus;
  if (ekus !== null) extensions.push({ oid: '2.5.29.37', value: seq(...ekus.map(oidBytes)) });
  const aaguid = k.aaguidExtension === undefined ? base.aaguid : k.aaguidExtension;
  if (aaguid !== null) extensions.push({ oid: '1.3.6.1.4.1.45724.1.1.4', value: tlv(0x04, aaguid) });
  const aikCert = issueLeaf({ key: aik, subject: (k.subject ?? []) as never, extensions });
  const stmt = new Map<string, CborValue>([
    ['ver', k.ver ?? '2.0'],
    ['alg', alg],
    ['x5c', [aikCert, ...testCaChain()]],
    ['sig', (k.sign ?? ((key, d) => key.sign(d)))(aik, certInfo)],
    ['certInfo', certInfo],
    ['pubArea', pubArea],
  ]);
  if (k.omit !== undefined) stmt.delete(k.omit);
  if (k.extraMember === true) stmt.set('ecdaaKeyId', new Uint8Array(4));
  return stmt;
}
