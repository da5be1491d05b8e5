export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** RFC 4226 Appendix D secret. */
export const RFC_SECRET: Uint8Array = ascii('12345678901234567890');
export const sec = (seconds: number): number => seconds * 1000;
