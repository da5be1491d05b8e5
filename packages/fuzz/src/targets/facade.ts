import { U2FToken, VirtualAuthenticator, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { createFactorkit, type Factorkit } from 'factorkit';
import type { Target } from '../harness.ts';
import { arbitraryJson, mutateJson } from '../mutate.ts';
import type { Rng } from '../rng.ts';

const ORIGIN = 'https://login.example.com';
const RP = { id: 'login.example.com', name: 'Example' };

type Method =
  | 'webauthn.finishRegistration'
  | 'webauthn.finishAuthentication'
  | 'u2f.finishRegistration'
  | 'u2f.finishSign'
  | 'yubikey.enroll'
  | 'yubikey.verify'
  | 'yubikey.verifyOtp'
  | 'otp.verify'
  | 'otp.resync'
  | 'otp.enrollVip';

export const FACADE_METHODS: readonly Method[] = [
  'webauthn.finishRegistration',
  'webauthn.finishAuthentication',
  'u2f.finishRegistration',
  'u2f.finishSign',
  'yubikey.enroll',
  'yubikey.verify',
  'yubikey.verifyOtp',
  'otp.verify',
  'otp.resync',
  'otp.enrollVip',
];

interface FacadeInput {
  readonly method: Method;
  readonly request: Record<string, unknown>;
}

interface World {
  readonly fk: Factorkit;
  readonly authenticator: VirtualAuthenticator;
  readonly u2f: U2FToken;
  readonly yubikey: VirtualYubiKey;
  readonly totpFactorId: string;
  readonly valid: Record<Method, Record<string, unknown>>;
}

async function world(): Promise<World> {
  let now = Date.UTC(2026, 0, 1);
  const clock = (): Date => {
    now += 1000;
    return new Date(now);
  };
  const fk = createFactorkit({ rp: RP, origins: [ORIGIN], clock });
  const authenticator = new VirtualAuthenticator({ seed: 'fuzz facade' });
  const regOptions = await fk.webauthn.startRegistration({
    userId: 'alice',
    userName: 'alice',
    origin: ORIGIN,
  });
  const registration = authenticator.createCredential({ origin: ORIGIN, publicKey: regOptions as never });
  await fk.webauthn.finishRegistration({ userId: 'alice', response: registration });
  const authOptions = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
  const assertion = authenticator.getAssertion({ origin: ORIGIN, publicKey: authOptions as never });

  const u2f = new U2FToken({ seed: 'fuzz facade u2f' });
  const req = await fk.u2f.startRegistration({ userId: 'alice', origin: ORIGIN });
  const u2fReg = u2f.register({
    appId: ORIGIN,
    challenge: req.registerRequests[0]?.challenge as string,
    origin: ORIGIN,
  });
  const u2fDone = await fk.u2f.finishRegistration({ userId: 'alice', response: u2fReg });
  const keyHandle = u2fDone.details?.keyHandle as string;
  const signReq = await fk.u2f.startSign({ userId: 'alice', origin: ORIGIN });
  const u2fSign = u2f.sign({ appId: ORIGIN, challenge: signReq.challenge, origin: ORIGIN, keyHandle });

  const yubikey = new VirtualYubiKey({ seed: 'fuzz facade yk' });
  await fk.yubikey.uploadToken({ serialNumber: '1', ...yubikey.secrets });
  const totp = await fk.otp.enrollTotp({
    userId: 'alice',
    secret: Uint8Array.from({ length: 20 }, (_, i) => i + 1),
  });
  return {
    fk,
    authenticator,
    u2f,
    yubikey,
    totpFactorId: totp.factorId,
    valid: {
      'webauthn.finishRegistration': { userId: 'alice', response: registration },
      'webauthn.finishAuthentication': { userId: 'alice', response: assertion },
      'u2f.finishRegistration': { userId: 'alice', response: u2fReg },
      'u2f.finishSign': { userId: 'alice', response: u2fSign },
      'yubikey.enroll': { userId: 'alice', passCode: yubikey.press() },
      'yubikey.verify': { userId: 'alice', passCode: yubikey.press() },
      'yubikey.verifyOtp': { otp: yubikey.press(), token: yubikey.secrets, lastOtp: null },
      'otp.verify': { userId: 'alice', factorId: totp.factorId, passCode: '123456' },
      'otp.resync': { userId: 'alice', factorId: totp.factorId, passCodes: ['123456', '654321'] },
      'otp.enrollVip': {
        userId: 'alice',
        credentialId: 'VSMT14393584',
        secret: Uint8Array.from({ length: 20 }, (_, i) => 200 - i),
        passCode: '123456',
        nextPassCode: '654321',
      },
    },
  };
}

/** Request fields that carry client data (the server's own fields — userId, token — stay valid). */
const REQUEST_FIELDS: Record<Method, readonly string[]> = {
  'webauthn.finishRegistration': ['response'],
  'webauthn.finishAuthentication': ['response'],
  'u2f.finishRegistration': ['response'],
  'u2f.finishSign': ['response'],
  'yubikey.enroll': ['passCode'],
  'yubikey.verify': ['passCode'],
  'yubikey.verifyOtp': ['otp'],
  'otp.verify': ['factorId', 'passCode'],
  'otp.resync': ['factorId', 'passCodes'],
  'otp.enrollVip': ['credentialId', 'passCode', 'nextPassCode'],
};

function generate(w: World, rng: Rng): FacadeInput {
  const method = rng.pick(FACADE_METHODS);
  const valid = w.valid[method];
  const request: Record<string, unknown> = { ...valid };
  const field = rng.pick(REQUEST_FIELDS[method]);
  request[field] = rng.int(3) === 0 ? arbitraryJson(rng, 4) : mutateJson(rng, valid[field]);
  if (method === 'webauthn.finishAuthentication' && rng.int(4) === 0) delete request['userId'];
  return { method, request };
}

function call(w: World, i: FacadeInput): Promise<unknown> | unknown {
  const r = i.request as never;
  switch (i.method) {
    case 'webauthn.finishRegistration':
      return w.fk.webauthn.finishRegistration(r);
    case 'webauthn.finishAuthentication':
      return w.fk.webauthn.finishAuthentication(r);
    case 'u2f.finishRegistration':
      return w.fk.u2f.finishRegistration(r);
    case 'u2f.finishSign':
      return w.fk.u2f.finishSign(r);
    case 'yubikey.enroll':
      return w.fk.yubikey.enroll(r);
    case 'yubikey.verify':
      return w.fk.yubikey.verify(r);
    case 'yubikey.verifyOtp':
      return w.fk.yubikey.verifyOtp(r);
    case 'otp.verify':
      return w.fk.otp.verify(r);
    case 'otp.resync':
      return w.fk.otp.resync(r);
    case 'otp.enrollVip':
      return w.fk.otp.enrollVip(r);
  }
}

const sizeOf = (v: unknown): number => {
  try {
    return (
      JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x))?.length ??
      0
    );
  } catch {
    return 0;
  }
};

export const facadeTarget: Target<FacadeInput> = {
  name: 'facade-json',
  entry: `factorkit ${FACADE_METHODS.join(', ')}`,
  throws: 'never',
  async setup() {
    const w = await world();
    return {
      generate: (rng) => generate(w, rng),
      run: (i) => call(w, i),
      size: (i) => sizeOf(i.request),
      *shrink(i) {
        for (const key of REQUEST_FIELDS[i.method]) {
          const v = i.request[key];
          if (v !== null && typeof v === 'object') {
            for (const k of Object.keys(v)) {
              const copy = Array.isArray(v) ? v.filter((_, j) => String(j) !== k) : { ...(v as object) };
              if (!Array.isArray(v)) delete (copy as Record<string, unknown>)[k];
              yield { ...i, request: { ...i.request, [key]: copy } };
            }
          }
        }
      },
      show: (i) =>
        JSON.stringify({ method: i.method, request: i.request }, (_k, x) =>
          x instanceof Uint8Array ? `hex:${Buffer.from(x).toString('hex')}` : x,
        ),
    };
  },
};
