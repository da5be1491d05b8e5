/**
 * CRC-16 of the Yubico OTP token (protocols §4.2): ISO 13239 style, init 0xffff, reflected
 * polynomial 0x8408, no final XOR. The token's last two bytes hold the ones-complement of the CRC
 * of bytes 0..13 (little-endian), so the CRC over all 16 bytes of a good token is the constant
 * residue 0xf0b8.
 */
export const CRC_OK_RESIDUE = 0xf0b8;

export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let j = 0; j < 8; j++) {
      const lsb = crc & 1;
      crc >>= 1;
      if (lsb !== 0) crc ^= 0x8408;
    }
  }
  return crc;
}
