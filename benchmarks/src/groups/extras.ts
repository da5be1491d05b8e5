import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtraMeasurement } from '../model.ts';
import { loadApi } from '../packages.ts';
import { pickAssertion } from './webauthn-assertion.ts';

export interface ExtraOptions {
  readonly quick: boolean;
  readonly selected: (id: string) => boolean;
  readonly log: (line: string) => void;
}

const CHILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'child');

interface ChildResult {
  readonly ok: boolean;
  readonly value: Record<string, unknown>;
  readonly error: string;
}

/** Runs a child script under tsx (own process: its RSS and heap are its own) and parses its JSON line. */
function runChild(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, '--import', 'tsx', join(CHILD_DIR, script), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve({ ok: true, value: JSON.parse(line) as Record<string, unknown>, error: '' });
      } catch (e) {
        const why =
          err.trim().split('\n').slice(-3).join(' ') || (e instanceof Error ? e.message : String(e));
        resolve({ ok: false, value: {}, error: why });
      }
    });
  });
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

async function seedImport(options: ExtraOptions): Promise<ExtraMeasurement> {
  const title = 'YubiKey seed import, 100,000 rows (Yubico-format CSV, streamed in 64 KiB chunks)';
  const loaded = await loadApi('@factorkit/yubikey', [
    'YubikeyRegistry',
    'MemoryYubikeyStore',
    'aesGcmKeyEncryption',
  ]);
  if (!loaded.ok) return { key: 'seed-import', title, values: {}, units: {}, notes: [loaded.reason] };
  options.log('▶ seed import (child process)');
  const r = await runChild('seed-import.ts', ['100000']);
  if (!r.ok) return { key: 'seed-import', title, values: {}, units: {}, notes: [], error: r.error };
  return {
    key: 'seed-import',
    title,
    values: {
      rows: num(r.value['rows']),
      seconds: num(r.value['seconds']),
      rowsPerSecond: Math.round(num(r.value['rowsPerSecond'])),
      inputMiB: num(r.value['inputMiB']),
      rssBeforeImportMiB: num(r.value['rssBeforeMiB']),
      peakRssMiB: num(r.value['peakRssMiB']),
    },
    units: {
      seconds: 's',
      rowsPerSecond: 'rows/s',
      inputMiB: 'MiB',
      rssBeforeImportMiB: 'MiB',
      peakRssMiB: 'MiB',
    },
    notes: [
      'In-memory store, AES-256-GCM sealing of every seed, all-or-nothing import (the default). ' +
        'Peak RSS is the child process peak, input included; RSS before import is after building the input.',
    ],
  };
}

async function heapGrowth(options: ExtraOptions): Promise<ExtraMeasurement[]> {
  const out: ExtraMeasurement[] = [];
  const otpN = options.quick ? 100_000 : 1_000_000;
  const otpTitle = `Heap growth over ${otpN.toLocaleString('en-US')} TOTP verifications, bounded key cache under eviction`;
  const otp = await loadApi('@factorkit/otp', ['verifyTotp']);
  if (!otp.ok) out.push({ key: 'heap-growth', title: otpTitle, values: {}, units: {}, notes: [otp.reason] });
  else {
    options.log(`▶ heap growth, otp × ${otpN} (child process)`);
    const r = await runChild('heap.ts', ['otp', String(otpN)], ['--expose-gc']);
    out.push(heapMeasurement('heap-growth', otpTitle, r));
  }

  // Report-only and slow (a P-256 verify per iteration): full runs only.
  if (options.quick) return out;
  const waN = 100_000;
  const waTitle = `Heap growth over ${waN.toLocaleString('en-US')} ES256 assertions (COSE key decoded per call)`;
  const fixture = pickAssertion({
    alg: -7,
    preferred: ['py-webauthn/authentication-es256-1'],
  });
  const wa = await loadApi('@factorkit/webauthn', ['verifyAuthentication']);
  if (!wa.ok || fixture === undefined) {
    const why = wa.ok ? 'no ES256 authentication fixture' : wa.reason;
    out.push({ key: 'heap-growth-webauthn', title: waTitle, values: {}, units: {}, notes: [why] });
  } else {
    options.log(`▶ heap growth, webauthn × ${waN} (child process)`);
    const r = await runChild('heap.ts', ['webauthn', String(waN), JSON.stringify(fixture)], ['--expose-gc']);
    out.push(heapMeasurement('heap-growth-webauthn', waTitle, r));
  }
  return out;
}

function heapMeasurement(key: string, title: string, r: ChildResult): ExtraMeasurement {
  if (!r.ok) return { key, title, values: {}, units: {}, notes: [], error: r.error };
  return {
    key,
    title,
    values: {
      iterations: num(r.value['iterations']),
      seconds: num(r.value['seconds']),
      heapBeforeMiB: num(r.value['heapBeforeMiB']),
      heapAfterMiB: num(r.value['heapAfterMiB']),
      growthMiB: num(r.value['growthMiB']),
    },
    units: { seconds: 's', heapBeforeMiB: 'MiB', heapAfterMiB: 'MiB', growthMiB: 'MiB' },
    notes: [`${String(r.value['note'])}; heap used measured after full GCs, after a 10 % warm-up.`],
  };
}

export async function extraMeasurements(options: ExtraOptions): Promise<ExtraMeasurement[]> {
  const out: ExtraMeasurement[] = [];
  if (options.selected('seed-import')) out.push(await seedImport(options));
  if (options.selected('heap')) out.push(...(await heapGrowth(options)));
  return out;
}
