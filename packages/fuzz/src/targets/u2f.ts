import {
  decodeWebsafeBase64,
  encodeWebsafeBase64,
  parseClientData,
  parseRegistrationData,
  parseSignatureData,
  verifyAuthentication,
  verifyRegistration,
} from '@factorkit/u2f';
import { U2FToken } from '@factorkit/virtual-authenticator';
import { shrinkBytes, type Target, toHexString } from '../harness.ts';
import { mutateBytesStacked } from '../mutate.ts';

const APP_ID = 'https://example.com';
const ORIGIN = 'https://example.com';
const CHALLENGE = encodeWebsafeBase64(new Uint8Array(32).fill(9));

interface U2fSeed {
  readonly token: U2FToken;
  readonly registrationData: Uint8Array;
  readonly clientData: Uint8Array;
  readonly keyHandle: string;
  readonly publicKey: Uint8Array;
  readonly signatureData: Uint8Array;
  readonly signClientData: Uint8Array;
}

let cache: U2fSeed[] | undefined;
function seeds(): U2fSeed[] {
  cache ??= [0, 1, 2].map((n) => {
    const token = new U2FToken({ seed: `fuzz u2f ${n}`, ...(n === 2 ? { keyHandleLength: 255 } : {}) });
    const reg = token.register({ appId: APP_ID, challenge: CHALLENGE, origin: ORIGIN });
    const registrationData = decodeWebsafeBase64(reg.registrationData);
    const khLen = registrationData[66] as number;
    const keyHandle = encodeWebsafeBase64(registrationData.subarray(67, 67 + khLen));
    const sign = token.sign({ appId: APP_ID, challenge: CHALLENGE, origin: ORIGIN, keyHandle });
    return {
      token,
      registrationData,
      clientData: decodeWebsafeBase64(reg.clientData),
      keyHandle,
      publicKey: registrationData.subarray(1, 66),
      signatureData: decodeWebsafeBase64(sign.signatureData),
      signClientData: decodeWebsafeBase64(sign.clientData),
    };
  });
  return cache;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

interface MessageInput {
  readonly index: number;
  readonly message: Uint8Array;
  readonly clientData: Uint8Array;
}

export const u2fRegisterTarget: Target<MessageInput> = {
  name: 'u2f-register',
  weight: 5,
  entry: '@factorkit/u2f verifyRegistration (registrationData + clientData), parseRegistrationData',
  throws: 'never',
  setup() {
    const s = seeds();
    return {
      generate(rng) {
        const index = rng.int(s.length);
        const seed = s[index] as U2fSeed;
        const which = rng.int(3);
        return {
          index,
          message: which !== 1 ? mutateBytesStacked(rng, seed.registrationData) : seed.registrationData,
          clientData: which === 1 ? mutateBytesStacked(rng, seed.clientData) : seed.clientData,
        };
      },
      async run(i) {
        try {
          parseRegistrationData(i.message);
        } catch (e) {
          if (!(e instanceof Error && 'code' in e)) throw e;
        }
        return verifyRegistration({
          response: {
            registrationData: encodeWebsafeBase64(i.message),
            clientData: encodeWebsafeBase64(i.clientData),
            version: 'U2F_V2',
          },
          appId: APP_ID,
          expectedChallenge: CHALLENGE,
          expectedFacetIds: ORIGIN,
        });
      },
      size: (i) => i.message.length + i.clientData.length,
      changesSignedData(i) {
        // Signed: 0x00 ‖ SHA-256(appId) ‖ SHA-256(clientData) ‖ keyHandle ‖ userPublicKey.
        const seed = s[i.index] as U2fSeed;
        const khLen = seed.registrationData[66] as number;
        const signed = (m: Uint8Array) => m.subarray(1, 67 + khLen);
        return (
          !equal(signed(i.message), signed(seed.registrationData)) || !equal(i.clientData, seed.clientData)
        );
      },
      *shrink(i) {
        for (const m of shrinkBytes(i.message)) yield { ...i, message: m };
        for (const c of shrinkBytes(i.clientData)) yield { ...i, clientData: c };
      },
      show: (i) =>
        JSON.stringify({ registrationData: toHexString(i.message), clientData: toHexString(i.clientData) }),
    };
  },
};

export const u2fSignTarget: Target<MessageInput> = {
  name: 'u2f-sign',
  weight: 5,
  entry:
    '@factorkit/u2f verifyAuthentication (signatureData + clientData), parseSignatureData, parseClientData',
  throws: 'never',
  setup() {
    const s = seeds();
    return {
      generate(rng) {
        const index = rng.int(s.length);
        const seed = s[index] as U2fSeed;
        const which = rng.int(3);
        return {
          index,
          message: which !== 1 ? mutateBytesStacked(rng, seed.signatureData) : seed.signatureData,
          clientData: which === 1 ? mutateBytesStacked(rng, seed.signClientData) : seed.signClientData,
        };
      },
      async run(i) {
        const seed = s[i.index] as U2fSeed;
        for (const parse of [
          () => parseSignatureData(i.message),
          () => parseClientData(encodeWebsafeBase64(i.clientData)),
        ]) {
          try {
            parse();
          } catch (e) {
            if (!(e instanceof Error && 'code' in e)) throw e;
          }
        }
        return verifyAuthentication({
          response: {
            keyHandle: seed.keyHandle,
            clientData: encodeWebsafeBase64(i.clientData),
            signatureData: encodeWebsafeBase64(i.message),
          },
          appId: APP_ID,
          expectedChallenge: CHALLENGE,
          expectedFacetIds: ORIGIN,
          credential: { keyHandle: seed.keyHandle, publicKey: seed.publicKey, counter: 0 },
        });
      },
      size: (i) => i.message.length + i.clientData.length,
      changesSignedData(i) {
        // Signed: SHA-256(appId) ‖ userPresence ‖ counter ‖ SHA-256(clientData).
        const seed = s[i.index] as U2fSeed;
        return (
          !equal(i.message.subarray(0, 5), seed.signatureData.subarray(0, 5)) ||
          !equal(i.clientData, seed.signClientData)
        );
      },
      *shrink(i) {
        for (const m of shrinkBytes(i.message)) yield { ...i, message: m };
        for (const c of shrinkBytes(i.clientData)) yield { ...i, clientData: c };
      },
      show: (i) =>
        JSON.stringify({ signatureData: toHexString(i.message), clientData: toHexString(i.clientData) }),
    };
  },
};
