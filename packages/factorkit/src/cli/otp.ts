import { parseArgs } from 'node:util';
import {
  decodeSecret,
  formatOtpauthUri,
  generateHotp,
  generateSecret,
  generateTotp,
  type OtpAlgorithm,
  renderQrCode,
  verifyHotp,
  verifyTotp,
} from '@factorkit/otp';
import { type CliIo, EXIT_FAIL, EXIT_OK, UsageError } from './main.ts';

const OPTIONS = {
  secret: { type: 'string' },
  encoding: { type: 'string', default: 'base32' },
  type: { type: 'string', default: 'totp' },
  algorithm: { type: 'string', default: 'SHA1' },
  digits: { type: 'string', default: '6' },
  period: { type: 'string', default: '30' },
  counter: { type: 'string' },
  time: { type: 'string' },
  window: { type: 'string' },
  code: { type: 'string' },
  account: { type: 'string' },
  issuer: { type: 'string' },
  qr: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

function int(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * `factorkit otp uri|code|verify` — for enrollment and support desks. The secret comes from
 * `--secret` or `$FACTORKIT_OTP_SECRET` (prefer the variable: command lines end up in shell
 * history and process lists). Codes and secrets are printed only where asked for.
 */
export async function runOtp(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'uri' && sub !== 'code' && sub !== 'verify')
    throw new UsageError('otp needs a subcommand: uri, code or verify');
  const { values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false });
  const type = values.type;
  if (type !== 'totp' && type !== 'hotp') throw new UsageError('--type must be totp or hotp');
  const encoding = values.encoding;
  if (encoding !== 'base32' && encoding !== 'hex' && encoding !== 'base64') {
    throw new UsageError('--encoding must be base32, hex or base64');
  }
  const algorithm = values.algorithm.toUpperCase().replace('-', '') as OtpAlgorithm;
  const digits = int(values.digits, 'digits');
  const period = int(values.period, 'period');
  const encoded = values.secret ?? io.env['FACTORKIT_OTP_SECRET'];

  if (sub === 'uri') {
    if (values.account === undefined) throw new UsageError('--account is required');
    let secret: Uint8Array;
    if (encoded === undefined) {
      secret = generateSecret(20);
      io.stderr.write('factorkit otp uri: generated a new 160-bit secret (it is in the URI)\n');
    } else {
      secret = secretOf(encoded, encoding);
    }
    const uri = formatOtpauthUri({
      type,
      accountName: values.account,
      ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
      secret,
      algorithm,
      digits,
      ...(type === 'totp' ? { period } : { counter: int(values.counter, 'counter', 0) }),
    });
    if (values.qr) io.stdout.write(await renderQrCode(uri, { format: 'terminal', small: true }));
    io.stdout.write(`${uri}\n`);
    return EXIT_OK;
  }

  if (encoded === undefined) throw new UsageError('--secret (or $FACTORKIT_OTP_SECRET) is required');
  const secret = secretOf(encoded, encoding);
  const nowMs = values.time === undefined ? Date.now() : int(values.time, 'time') * 1000;

  if (sub === 'code') {
    const code =
      type === 'totp'
        ? generateTotp({ secret, algorithm, digits, period, now: nowMs })
        : generateHotp({ secret, algorithm, digits, counter: int(values.counter, 'counter') });
    io.stdout.write(`${code}\n`);
    return EXIT_OK;
  }

  if (values.code === undefined) throw new UsageError('--code is required');
  const result =
    type === 'totp'
      ? verifyTotp({
          secret,
          algorithm,
          digits,
          period,
          now: nowMs,
          code: values.code,
          ...(values.window === undefined ? {} : { window: int(values.window, 'window') }),
        })
      : verifyHotp({
          secret,
          algorithm,
          digits,
          counter: int(values.counter, 'counter'),
          code: values.code,
          ...(values.window === undefined ? {} : { lookAhead: int(values.window, 'window') }),
        });
  const line = result.verified
    ? {
        verified: true,
        ...('step' in result ? { step: result.step } : { counter: result.counter }),
        drift: result.drift,
      }
    : { verified: false, code: result.code };
  io.stdout.write(
    values.json
      ? `${JSON.stringify(line)}\n`
      : result.verified
        ? `valid (${'step' in line ? `step ${line.step}` : `counter ${(line as { counter: number }).counter}`}, drift ${result.drift})\n`
        : `invalid: ${result.code}\n`,
  );
  return result.verified ? EXIT_OK : EXIT_FAIL;
}

function secretOf(encoded: string, encoding: 'base32' | 'hex' | 'base64'): Uint8Array {
  try {
    return decodeSecret(encoded, encoding).secret;
  } catch (error) {
    throw new UsageError(`--secret is not valid ${encoding}: ${(error as Error).message}`);
  }
}
