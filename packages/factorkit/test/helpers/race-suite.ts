/**
 * The replay race on a real engine (one test file per engine, so they run in parallel), through the façade: 4 processes × 100 concurrent
 * verifications of one TOTP code, one Yubico OTP, one WebAuthn assertion and one challenge,
 * over 20 rounds → exactly one success each, every round. The same processes then run rounds
 * against a check-then-write control store, which must let copies through.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTotp } from '@factorkit/otp';
import { VirtualAuthenticator, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { afterAll, describe, expect, it } from 'vitest';
import { type EngineDescriptor, openEngine } from './engines.ts';
import { CONCURRENCY, facade, ORIGIN, type RoundCounts, type RoundTask } from './race.ts';

const PROCESSES = 4;
const ROUNDS = 20;
const CONTROL_ROUNDS = 3;
const FACTORS = ['totp', 'yubico', 'webauthn', 'challenge'] as const;
const T0 = Date.UTC(2026, 0, 1);
const worker = join(dirname(fileURLToPath(import.meta.url)), 'race-worker.mjs');

function start(descriptor: EngineDescriptor): Promise<ChildProcess> {
  const child = fork(worker, [JSON.stringify(descriptor)], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`race worker exited with ${code}`)));
  });
}

const ask = (child: ChildProcess, task: RoundTask): Promise<RoundCounts> =>
  new Promise((resolve, reject) => {
    child.once('message', (m: RoundCounts | { fatal: string }) =>
      'fatal' in m ? reject(new Error(m.fatal)) : resolve(m),
    );
    child.send(task);
  });

/** Rows for the race table printed at the end: engine × factor × successes per round. */
const table: string[] = [];
afterAll(() => {
  if (table.length > 0)
    console.log(['race table (successes per round, min–max over rounds):', ...table].join('\n'));
});

/**
 * Declares the race for one engine. `prepare` returns a fresh store's descriptor (and
 * registers its own cleanup); a string instead says why the engine is skipped.
 */
export function describeRace(name: string, prepare: (() => Promise<EngineDescriptor>) | string): void {
  describe(`replay race on ${name}`, () => {
    if (typeof prepare === 'string') {
      it.skip(prepare, () => {});
      return;
    }
    it(`${PROCESSES} processes × ${CONCURRENCY} concurrent verifications × ${ROUNDS} rounds: exactly one success per factor per round; check-then-write control fails`, async () => {
      const descriptor = await prepare();
      const setup = await openEngine(descriptor);
      const clock = { now: T0 };
      const fk = facade(setup.store, clock);
      // Not one byte repeated: such secrets are refused (ERR_SECRET_WEAK).
      const secret = Uint8Array.from({ length: 20 }, (_, i) => i * 11 + 5);
      const { factorId } = await fk.otp.enrollTotp({ userId: 'alice', secret });
      const key = new VirtualYubiKey({ seed: `race-${name}` });
      const s = key.secrets;
      await fk.yubikey.uploadToken({
        serialNumber: '7',
        publicId: s.publicId,
        privateId: s.privateId,
        aesKey: s.aesKey,
      });
      expect((await fk.yubikey.enroll({ userId: 'alice', passCode: key.press() })).factorResult).toBe(
        'SUCCESS',
      );
      const authenticator = new VirtualAuthenticator({ seed: `race-${name}` });
      const reg = await fk.webauthn.startRegistration({ userId: 'alice', userName: 'alice', origin: ORIGIN });
      const created = authenticator.createCredential({ origin: ORIGIN, publicKey: reg as never });
      expect(
        (await fk.webauthn.finishRegistration({ userId: 'alice', response: created })).factorResult,
      ).toBe('SUCCESS');

      const children = await Promise.all(Array.from({ length: PROCESSES }, () => start(descriptor)));
      const runRound = async (
        r: number,
        control: boolean,
      ): Promise<Record<(typeof FACTORS)[number], number>> => {
        clock.now = T0 + (r + 1) * 60_000;
        const options = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
        const challengeId = `race-${r}`;
        await setup.store.challenges.put({
          id: challengeId,
          factor: 'webauthn.authentication',
          userId: 'alice',
          origin: ORIGIN,
          challenge: challengeId,
          expiresAt: clock.now + 60_000,
          data: null,
        });
        const task: RoundTask = {
          type: 'round',
          control,
          now: clock.now,
          startAt: Date.now() + 50,
          totp: { factorId, passCode: generateTotp({ secret, now: clock.now }) },
          yubico: key.press(),
          webauthn: authenticator.getAssertion({ origin: ORIGIN, publicKey: options as never }),
          challengeId,
        };
        const counts = await Promise.all(children.map((c) => ask(c, task)));
        expect(counts.flatMap((c) => c.errors)).toEqual([]);
        return Object.fromEntries(
          FACTORS.map((f) => [f, counts.reduce((sum, c) => sum + c[f], 0)]),
        ) as Record<(typeof FACTORS)[number], number>;
      };
      try {
        const real: Record<string, number[]> = { totp: [], yubico: [], webauthn: [], challenge: [] };
        for (let r = 0; r < ROUNDS; r++) {
          const got = await runRound(r, false);
          for (const f of FACTORS) real[f]?.push(got[f]);
        }
        const copies: Record<string, number[]> = { totp: [], yubico: [], webauthn: [], challenge: [] };
        for (let r = ROUNDS; r < ROUNDS + CONTROL_ROUNDS; r++) {
          const got = await runRound(r, true);
          for (const f of FACTORS) copies[f]?.push(got[f]);
        }
        const span = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)}`;
        for (const f of FACTORS) {
          table.push(
            `  ${name.padEnd(24)} ${f.padEnd(10)} atomic: ${span(real[f] ?? [])} over ${ROUNDS} rounds; check-then-write control: ${span(copies[f] ?? [])} over ${CONTROL_ROUNDS} rounds`,
          );
        }
        for (const f of FACTORS) {
          expect(real[f], `${f}: successes per round`).toEqual(Array.from({ length: ROUNDS }, () => 1));
          // The control lets copies through: the test can fail.
          expect(Math.max(...(copies[f] ?? [])), `${f}: check-then-write control`).toBeGreaterThan(1);
        }
      } finally {
        for (const c of children) c.send({ type: 'exit' });
        await Promise.all(
          children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))),
        );
        await setup.close();
      }
    }, 300_000);
  });
}
