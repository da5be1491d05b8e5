import type { CborValue, CertificateExtension, SigningKey } from '@factorkit/virtual-authenticator';
import { AuthorizationList, IntegerSet, KeyDescription, SecurityLevel } from '@peculiar/asn1-android';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  type BaseRegistration,
  concat,
  issueLeaf,
  p256Spki,
  testCaChain,
  testRootDer,
} from './statements.ts';

// An android-key (§8.4) statement assembled by the test, with a knob per requirement.

const spkiOf = p256Spki;

export interface Lists {
  tee?: Partial<AuthorizationList>;
  software?: Partial<AuthorizationList>;
}

export const GOOD_TEE: Partial<AuthorizationList> = { purpose: new IntegerSet([2]), origin: 0 };

export function keyDescription(challenge: Uint8Array, lists: Lists = {}, version = 3): Uint8Array {
  return new Uint8Array(
    AsnConvert.serialize(
      new KeyDescription({
        attestationVersion: version,
        attestationSecurityLevel: SecurityLevel.trustedEnvironment,
        keymasterVersion: 4,
        keymasterSecurityLevel: SecurityLevel.trustedEnvironment,
        attestationChallenge: new OctetString(challenge),
        uniqueId: new OctetString(new Uint8Array(0)),
        softwareEnforced: new AuthorizationList(lists.software ?? {}),
        teeEnforced: new AuthorizationList(lists.tee ?? GOOD_TEE),
      }),
    ),
  );
}

export interface AndroidKeyKnobs extends Lists {
  challenge?: Uint8Array;
  description?: Uint8Array | null;
  certKey?: SigningKey;
  alg?: number;
  corruptSig?: boolean;
  signer?: SigningKey;
  serial?: number;
}

export function androidKeyStatement(base: BaseRegistration, k: AndroidKeyKnobs = {}): Map<string, CborValue> {
  const desc =
    k.description === undefined ? keyDescription(k.challenge ?? base.clientDataHash, k) : k.description;
  const extensions: CertificateExtension[] =
    desc === null ? [] : [{ oid: '1.3.6.1.4.1.11129.2.1.17', value: desc }];
  const key = k.certKey ?? ({ spki: spkiOf(base) } as SigningKey);
  const leaf = issueLeaf({
    key,
    subject: [['CN', 'Android Keystore Key']],
    extensions,
    serial: k.serial ?? 77,
  });
  let sig =
    k.signer === undefined
      ? base.credentialSign(base.authData)
      : k.signer.sign(concat(base.authData, base.clientDataHash));
  if (k.corruptSig === true) sig = sig.map((b, i) => (i === sig.length - 1 ? b ^ 1 : b));
  return new Map<string, CborValue>([
    ['alg', k.alg ?? -7],
    ['sig', sig],
    ['x5c', [leaf, ...testCaChain(), testRootDer()]],
  ]);
}
