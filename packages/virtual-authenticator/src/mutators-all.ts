// The `mutate` namespace: every negative-test mutator in one place.
export {
  appendTrailingBytes,
  corruptSignature,
  flipFlag,
  patchClientData,
  replaceClientDataJSON,
  resignWithOtherKey,
  setAttestation,
  setChallenge,
  setFlag,
  setOrigin,
  setRpIdHash,
  setSignCount,
  setType,
  swapAttestationAlgorithm,
  swapCredentialAlgorithm,
  truncate,
} from './mutators.ts';
export { flipYubicoOtpChar, patchYubicoOtp, setYubicoPublicId } from './mutators-otp.ts';
export {
  appendU2F,
  corruptU2FSignature,
  patchU2FClientData,
  resignU2FWithOtherKey,
  setU2FCounter,
  setU2FReservedByte,
  setU2FUserPresence,
  splitRegistrationData,
  truncateU2F,
} from './mutators-u2f.ts';
