import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mutate, U2F_STATUS, U2FToken, VirtualAuthenticatorError } from '../src/index.ts';
import { b64u, sha256 } from './independent.ts';

const appId = 'https://example.com';
const SPKI_P256 = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const p256Key = (point: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([SPKI_P256, point]), format: 'der', type: 'spki' });

/** Independent split of registrationData (raw message §4.3) and checks with node:crypto. */
function checkRegister(
  r: { registrationData: string; clientData: string },
  challenge: string,
  trustAnchor: string,
) {
  const d = b64u(r.registrationData);
  expect(d[0]).toBe(0x05);
  const pub = d.subarray(1, 66);
  const khLen = d[66] ?? 0;
  const kh = d.subarray(67, 67 + khLen);
  const certStart = 67 + khLen;
  const certLen = d.readUInt16BE(certStart + 2) + 4; // 30 82 LL LL
  const cert = new X509Certificate(d.subarray(certStart, certStart + certLen));
  const sig = d.subarray(certStart + certLen);
  const cd = JSON.parse(b64u(r.clientData).toString());
  expect(cd.typ).toBe('navigator.id.finishEnrollment');
  expect(cd.challenge).toBe(challenge);
  const signed = Buffer.concat([Buffer.of(0), sha256(appId), sha256(b64u(r.clientData)), kh, pub]);
  expect(verify('sha256', signed, cert.publicKey, sig)).toBe(true);
  const root = new X509Certificate(trustAnchor);
  expect(cert.verify(root.publicKey)).toBe(true);
  return { keyHandle: kh.toString('base64url'), publicKey: pub };
}

function checkSign(
  r: { clientData: string; signatureData: string },
  publicKey: Uint8Array,
  challenge: string,
) {
  const s = b64u(r.signatureData);
  const cd = JSON.parse(b64u(r.clientData).toString());
  expect(cd.typ).toBe('navigator.id.getAssertion');
  expect(cd.challenge).toBe(challenge);
  const signed = Buffer.concat([sha256(appId), s.subarray(0, 5), sha256(b64u(r.clientData))]);
  return {
    valid: verify('sha256', signed, p256Key(publicKey), s.subarray(5)),
    up: s[0],
    counter: s.readUInt32BE(1),
  };
}

describe('U2FToken', () => {
  it('register and sign verify independently; counter is global and increasing', () => {
    const token = new U2FToken({ seed: 'u2f' });
    const reg = token.register({ appId, challenge: 'Y2hhbA', origin: appId });
    expect(reg.version).toBe('U2F_V2');
    const { keyHandle, publicKey } = checkRegister(reg, 'Y2hhbA', token.ca.rootPem);
    expect(b64u(keyHandle).length).toBe(64);
    expect(Buffer.from(token.publicKey(keyHandle) ?? []).equals(publicKey)).toBe(true);
    const s1 = checkSign(token.sign({ appId, challenge: 'QQ', keyHandle }), publicKey, 'QQ');
    expect(s1).toEqual({ valid: true, up: 1, counter: 1 });
    const reg2 = token.register({ appId, challenge: 'Y2hhbA' });
    const k2 = checkRegister(reg2, 'Y2hhbA', token.ca.rootPem);
    expect(
      checkSign(token.sign({ appId, challenge: 'Qg', keyHandle: k2.keyHandle }), k2.publicKey, 'Qg').counter,
    ).toBe(2);
  });

  it('dont-enforce-user-presence (0x08) signs with UP byte 0', () => {
    const token = new U2FToken({ seed: 'u2f-up' });
    const { keyHandle, publicKey } = checkRegister(
      token.register({ appId, challenge: 'x' }),
      'x',
      token.ca.rootPem,
    );
    expect(
      checkSign(token.sign({ appId, challenge: 'y', keyHandle, control: 0x08 }), publicKey, 'y'),
    ).toMatchObject({ valid: true, up: 0 });
  });

  it('a key handle is bound to its appId', () => {
    const token = new U2FToken({ seed: 'u2f-app' });
    const { keyHandle } = checkRegister(token.register({ appId, challenge: 'x' }), 'x', token.ca.rootPem);
    expect(() => token.sign({ appId: 'https://other.example', challenge: 'y', keyHandle })).toThrow(
      VirtualAuthenticatorError,
    );
  });

  it('speaks APDUs: version, register, check-only, authenticate, errors', () => {
    const token = new U2FToken({ seed: 'apdu' });
    const sw = (r: Uint8Array) => ((r[r.length - 2] ?? 0) << 8) | (r[r.length - 1] ?? 0);
    const version = token.apdu(Uint8Array.of(0, 3, 0, 0));
    expect(Buffer.from(version.slice(0, -2)).toString()).toBe('U2F_V2');
    expect(sw(version)).toBe(U2F_STATUS.NO_ERROR);
    const chal = sha256('c');
    const app = sha256(appId);
    const reg = token.apdu(Buffer.concat([Buffer.of(0, 1, 3, 0, 0, 0, 64), chal, app, Buffer.of(0, 0)]));
    expect(sw(reg)).toBe(U2F_STATUS.NO_ERROR);
    const kh = reg.slice(67, 67 + (reg[66] ?? 0));
    const auth = (p1: number, application = app) =>
      token.apdu(
        Buffer.concat([
          Buffer.of(0, 2, p1, 0, 0, 0, 65 + kh.length),
          chal,
          application,
          Buffer.of(kh.length),
          kh,
        ]),
      );
    expect(sw(auth(0x07))).toBe(U2F_STATUS.CONDITIONS_NOT_SATISFIED);
    expect(sw(auth(0x07, sha256('other')))).toBe(U2F_STATUS.WRONG_DATA);
    const ok = auth(0x03);
    expect(sw(ok)).toBe(U2F_STATUS.NO_ERROR);
    expect(ok[0]).toBe(1);
    expect(sw(token.apdu(Uint8Array.of(0x80, 3, 0, 0)))).toBe(U2F_STATUS.CLA_NOT_SUPPORTED);
    expect(sw(token.apdu(Uint8Array.of(0, 9, 0, 0)))).toBe(U2F_STATUS.INS_NOT_SUPPORTED);
    expect(sw(token.apdu(Buffer.concat([Buffer.of(0, 1, 3, 0, 0, 0, 10), Buffer.alloc(10)])))).toBe(
      U2F_STATUS.WRONG_LENGTH,
    );
  });

  it('same seed → identical output', () => {
    const run = () => {
      const t = new U2FToken({ seed: 'det' });
      const r = t.register({ appId, challenge: 'c' });
      const kh = b64u(r.registrationData).subarray(67, 131).toString('base64url');
      return JSON.stringify([r, t.sign({ appId, challenge: 'd', keyHandle: kh })]);
    };
    expect(run()).toBe(run());
  });

  it('mutators: UP byte, counter, client data; resign keeps the signature valid', () => {
    const token = new U2FToken({ seed: 'mut' });
    const { keyHandle, publicKey } = checkRegister(
      token.register({ appId, challenge: 'c' }),
      'c',
      token.ca.rootPem,
    );
    const s = token.sign({ appId, challenge: 'd', keyHandle });
    const resign = { token, appId };
    expect(checkSign(mutate.setU2FUserPresence(s, 0, { resign }), publicKey, 'd')).toMatchObject({
      valid: true,
      up: 0,
    });
    expect(checkSign(mutate.setU2FUserPresence(s, 0), publicKey, 'd').valid).toBe(false);
    expect(checkSign(mutate.setU2FCounter(s, 0, { resign }), publicKey, 'd')).toMatchObject({
      valid: true,
      counter: 0,
    });
    const typ = mutate.patchU2FClientData(s, { typ: 'navigator.id.finishEnrollment' }, { resign });
    expect(JSON.parse(b64u(typ.clientData).toString()).typ).toBe('navigator.id.finishEnrollment');
    expect(
      checkSign(mutate.patchU2FClientData(s, { challenge: 'e' }, { resign }), publicKey, 'e').valid,
    ).toBe(true);
    expect(checkSign(mutate.resignU2FWithOtherKey(s, appId), publicKey, 'd').valid).toBe(false);
    expect(checkSign(mutate.corruptU2FSignature(s, 'flip-bit'), publicKey, 'd').valid).toBe(false);
    expect(b64u(mutate.truncateU2F(s, 'signatureData', 3).signatureData).length).toBe(
      b64u(s.signatureData).length - 3,
    );
    const reg = token.register({ appId, challenge: 'c2' });
    expect(b64u(mutate.setU2FReservedByte(reg, 4).registrationData)[0]).toBe(4);
    const regMut = mutate.patchU2FClientData(reg, { challenge: 'zz' }, { resign });
    checkRegister(regMut, 'zz', token.ca.rootPem);
  });
});
