/**
 * TPM manufacturers (TCG "TPM Vendor ID Registry", Family 1.2 and 2.0, version 1.07 plus later
 * additions). The AIK certificate's tcg-at-tpmManufacturer attribute holds "id:" and the
 * vendor's 4-octet ID as 8 hex digits (the ASCII of the registry's short name, NUL-padded).
 *
 * A manufacturer that is not in this table is rejected (`ERR_ATTESTATION_CERTIFICATE_INVALID`):
 * §8.3.1 points at the EK profile, and an unregistered vendor ID means the certificate was not
 * issued for a TPM. `FFFFF1D0` is the FIDO Alliance conformance tool's test value; it is listed
 * so conformance runs verify, and it never makes an attestation *trusted* by itself — trust only
 * comes from a configured anchor, and no production root issues conformance AIKs.
 */
export const TPM_MANUFACTURERS: ReadonlyMap<string, string> = new Map([
  ['414D4400', 'AMD'],
  ['414E5400', 'Ant Group'],
  ['41544D4C', 'Atmel'],
  ['4252434D', 'Broadcom'],
  ['4353434F', 'Cisco'],
  ['464C5953', 'Flyslice Technologies'],
  ['474F4F47', 'Google'],
  ['48504500', 'HPE'],
  ['48504900', 'HPI'],
  ['48495349', 'Huawei'],
  ['49424D00', 'IBM'],
  ['49465800', 'Infineon'],
  ['494E5443', 'Intel'],
  ['4C454E00', 'Lenovo'],
  ['4D534654', 'Microsoft'],
  ['4E534700', 'NSING'],
  ['4E534D20', 'National Semiconductor'],
  ['4E545A00', 'Nationz'],
  ['4E544300', 'Nuvoton Technology'],
  ['51434F4D', 'Qualcomm'],
  ['524F4343', 'Fuzhou Rockchip'],
  ['53454345', 'SecEdge'],
  ['5345414C', 'Wisekey'],
  ['534D5343', 'SMSC'],
  ['534D534E', 'Samsung'],
  ['534E5300', 'Sinosun'],
  ['53544D20', 'STMicroelectronics'],
  ['54584E00', 'Texas Instruments'],
  ['57454300', 'Winbond'],
  ['FFFFF1D0', 'FIDO Alliance (conformance testing)'],
]);

/** The registry entry for a tcg-at-tpmManufacturer value ("id:XXXXXXXX", hex in either case). */
export function tpmManufacturer(value: string): string | undefined {
  const m = /^id:([0-9A-Fa-f]{8})$/.exec(value);
  return m === null ? undefined : TPM_MANUFACTURERS.get((m[1] as string).toUpperCase());
}
