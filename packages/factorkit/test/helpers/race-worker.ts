import { type EngineDescriptor, openEngine } from './engines.ts';
import { CONCURRENCY, facade, type RoundCounts, type RoundTask } from './race.ts';

const descriptor = JSON.parse(process.argv[2] as string) as EngineDescriptor;
const opened = await openEngine(descriptor);
const clock = { now: 0 };
const real = facade(opened.store, clock);
const control = facade(opened.control, clock);
const send = (m: unknown): void => {
  process.send?.(m);
};

async function round(task: RoundTask): Promise<RoundCounts> {
  const fk = task.control ? control : real;
  const store = task.control ? opened.control : opened.store;
  clock.now = task.now;
  const errors: string[] = [];
  const ok = async (p: Promise<boolean>): Promise<boolean> => {
    try {
      return await p;
    } catch (error) {
      errors.push(String((error as { code?: unknown })?.code ?? error));
      return false;
    }
  };
  while (Date.now() < task.startAt) await new Promise((r) => setTimeout(r, 1));
  const many = (f: () => Promise<boolean>): Promise<boolean[]> =>
    Promise.all(Array.from({ length: CONCURRENCY }, () => ok(f())));
  const [totp, yubico, webauthn, challenge] = await Promise.all([
    many(async () => (await fk.otp.verify({ userId: 'alice', ...task.totp })).factorResult === 'SUCCESS'),
    many(
      async () =>
        (await fk.yubikey.verify({ userId: 'alice', passCode: task.yubico })).factorResult === 'SUCCESS',
    ),
    many(
      async () =>
        (await fk.webauthn.finishAuthentication({ userId: 'alice', response: task.webauthn }))
          .factorResult === 'SUCCESS',
    ),
    many(async () => (await store.challenges.consume(task.challengeId)) !== undefined),
  ]);
  const count = (xs: boolean[]): number => xs.filter(Boolean).length;
  return {
    totp: count(totp),
    yubico: count(yubico),
    webauthn: count(webauthn),
    challenge: count(challenge),
    errors,
  };
}

process.on('message', (m: RoundTask | { type: 'exit' }) => {
  if (m.type === 'exit') {
    void opened.close().then(() => process.exit(0));
    return;
  }
  void round(m).then(send, (error: unknown) => send({ fatal: String(error) }));
});
send({ type: 'ready' });
