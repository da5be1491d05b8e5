import type { Target } from '../harness.ts';
import { facadeTarget } from './facade.ts';
import {
  modhexTarget,
  otpauthTarget,
  secretTarget,
  seedCsvTarget,
  seedOktaJsonTarget,
  yubicoOtpTarget,
} from './otp.ts';
import { u2fRegisterTarget, u2fSignTarget } from './u2f.ts';
import {
  authenticationTarget,
  authenticatorDataTarget,
  cborTarget,
  certificateTarget,
  clientDataTarget,
  coseTarget,
  derSignatureTarget,
  registrationTarget,
} from './webauthn.ts';

/** Every target, in the order the report lists them. */
export const TARGETS: readonly Target<never>[] = [
  cborTarget,
  coseTarget,
  authenticatorDataTarget,
  derSignatureTarget,
  certificateTarget,
  clientDataTarget,
  registrationTarget,
  authenticationTarget,
  u2fRegisterTarget,
  u2fSignTarget,
  modhexTarget,
  yubicoOtpTarget,
  seedCsvTarget,
  seedOktaJsonTarget,
  otpauthTarget,
  secretTarget,
  facadeTarget,
] as unknown as readonly Target<never>[];
