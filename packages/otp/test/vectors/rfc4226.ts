// RFC 4226 Appendix D — HOTP test values. Secret = ASCII "12345678901234567890".
// Columns: counter, HMAC-SHA-1 (hex), truncated 31-bit value (decimal), 6-digit HOTP.
export const RFC4226_SECRET_ASCII = '12345678901234567890';

export interface Rfc4226Row {
  readonly counter: number;
  readonly hmac: string;
  readonly truncated: number;
  readonly hotp: string;
}

export const RFC4226_APPENDIX_D: readonly Rfc4226Row[] = [
  { counter: 0, hmac: 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0', truncated: 1284755224, hotp: '755224' },
  { counter: 1, hmac: '75a48a19d4cbe100644e8ac1397eea747a2d33ab', truncated: 1094287082, hotp: '287082' },
  { counter: 2, hmac: '0bacb7fa082fef30782211938bc1c5e70416ff44', truncated: 137359152, hotp: '359152' },
  { counter: 3, hmac: '66c28227d03a2d5529262ff016a1e6ef76557ece', truncated: 1726969429, hotp: '969429' },
  { counter: 4, hmac: 'a904c900a64b35909874b33e61c5938a8e15ed1c', truncated: 1640338314, hotp: '338314' },
  { counter: 5, hmac: 'a37e783d7b7233c083d4f62926c7a25f238d0316', truncated: 868254676, hotp: '254676' },
  { counter: 6, hmac: 'bc9cd28561042c83f219324d3c607256c03272ae', truncated: 1918287922, hotp: '287922' },
  { counter: 7, hmac: 'a4fb960c0bc06e1eabb804e5b397cdc4b45596fa', truncated: 82162583, hotp: '162583' },
  { counter: 8, hmac: '1b3c89f65e6c9e883012052823443f048b4332db', truncated: 673399871, hotp: '399871' },
  { counter: 9, hmac: '1637409809a679dc698207310c8c7fc07290d9e5', truncated: 645520489, hotp: '520489' },
];

// RFC 4226 §5.4 dynamic truncation example.
export const RFC4226_SECTION_5_4 = {
  hmac: '1f8698690e02ca16618550ef7f19da8e945b555a',
  offset: 10,
  binCode: 0x50ef7f19,
  hotp6: '872921',
} as const;
