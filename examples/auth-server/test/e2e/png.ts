// Enough PNG decoding to tell a rendered page from a blank one: 8-bit RGB/RGBA, not interlaced
// (what Chromium's screenshots are), the five row filters of PNG §9.
import { inflateSync } from 'node:zlib';

export interface PixelStats {
  readonly width: number;
  readonly height: number;
  /** Standard deviation of luminance (0–255) over all pixels. */
  readonly stddev: number;
  /** Distinct colours seen (capped at 4096). */
  readonly colours: number;
}

export function pixelStats(png: Uint8Array): PixelStats {
  const buf = Buffer.from(png);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colourType = data[9];
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || data[12] !== 0)
        throw new Error('unsupported PNG layout');
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  let sum = 0;
  let sumSq = 0;
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const base = y * (stride + 1);
    const filter = raw[base];
    for (let i = 0; i < stride; i++) {
      const x = raw[base + 1 + i] ?? 0;
      const a = i >= channels ? (cur[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      cur[i] = v & 0xff;
    }
    for (let px = 0; px < width; px++) {
      const r = cur[px * channels] ?? 0;
      const g = cur[px * channels + 1] ?? 0;
      const bl = cur[px * channels + 2] ?? 0;
      const lum = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
      sum += lum;
      sumSq += lum * lum;
      if (colours.size < 4096) colours.add((r << 16) | (g << 8) | bl);
    }
    prev.set(cur);
  }
  const n = width * height;
  const mean = sum / n;
  return { width, height, stddev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), colours: colours.size };
}
