import * as core from '@factorkit/core';
import { atEdge } from './errors.ts';

// The strict DER reader lives in @factorkit/core; this module is WebAuthn's edge for it: the
// same functions, a core `CodecError` rethrown as `WebAuthnError('ERR_INVALID_DER')`.

export {
  type CertificateOutline,
  DER_BIT_STRING,
  DER_INTEGER,
  DER_NULL,
  DER_OCTET_STRING,
  DER_OID,
  DER_SEQUENCE,
  type DerElement,
  isStrictDerEcdsaSignature,
  type SubjectPublicKeyInfo,
} from '@factorkit/core';

export const readDer: typeof core.readDer = atEdge(core.readDer);
export const readDerExact: typeof core.readDerExact = atEdge(core.readDerExact);
export const readDerChildren: typeof core.readDerChildren = atEdge(core.readDerChildren);
export const derUnsignedInteger: typeof core.derUnsignedInteger = atEdge(core.derUnsignedInteger);
/** @throws {WebAuthnError} `ERR_INVALID_DER` */
export const derSignatureToRaw: typeof core.derSignatureToRaw = atEdge(core.derSignatureToRaw);
export const derOidToString: typeof core.derOidToString = atEdge(core.derOidToString);
export const parseSpki: typeof core.parseSpki = atEdge(core.parseSpki);
export const parseRsaPublicKey: typeof core.parseRsaPublicKey = atEdge(core.parseRsaPublicKey);
export const outlineCertificate: typeof core.outlineCertificate = atEdge(core.outlineCertificate);
