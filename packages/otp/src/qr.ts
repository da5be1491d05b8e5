import QRCode from 'qrcode';
import { OtpError } from './errors.ts';

/** Output forms of {@link renderQrCode}. */
export type QrFormat = 'terminal' | 'utf8' | 'svg' | 'dataUrl';

export interface QrOptions {
  /** `'svg'` (default): an SVG document; `'dataUrl'`: a PNG data URL for an `<img src>`; `'terminal'`/`'utf8'`: text. */
  readonly format?: QrFormat;
  /** Error correction level (default `'M'`). */
  readonly errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
  /** Quiet-zone width in modules (default 4, the QR minimum). */
  readonly margin?: number;
  /** Terminal only: half-height blocks for a smaller rendering. */
  readonly small?: boolean;
}

/**
 * Renders text (an otpauth:// URI for enrollment screens) as a QR code with the `qrcode`
 * package. The QR code carries the secret: serve it over TLS, with `Cache-Control: no-store`,
 * and never log it. Failures (e.g. text too long) throw `ERR_QR_RENDER`.
 */
export async function renderQrCode(text: string, options: QrOptions = {}): Promise<string> {
  if (typeof text !== 'string' || text === '') throw new TypeError('text must be a non-empty string');
  const format = options.format ?? 'svg';
  const errorCorrectionLevel = options.errorCorrectionLevel ?? 'M';
  const margin = options.margin ?? 4;
  if (!Number.isInteger(margin) || margin < 0 || margin > 64)
    throw new RangeError('margin must be an integer 0..64');
  try {
    switch (format) {
      case 'svg':
        return await QRCode.toString(text, { type: 'svg', errorCorrectionLevel, margin });
      case 'utf8':
        return await QRCode.toString(text, { type: 'utf8', errorCorrectionLevel, margin });
      case 'terminal':
        return await QRCode.toString(text, {
          type: 'terminal',
          errorCorrectionLevel,
          small: options.small ?? false,
        });
      case 'dataUrl':
        return await QRCode.toDataURL(text, { type: 'image/png', errorCorrectionLevel, margin });
      default:
        throw new TypeError("format must be 'terminal', 'utf8', 'svg' or 'dataUrl'");
    }
  } catch (cause) {
    if (cause instanceof TypeError) throw cause;
    // The library's message may quote the input (which holds the secret): do not pass it on.
    throw new OtpError('ERR_QR_RENDER', 'QR code rendering failed', { cause: new Error('qrcode failure') });
  }
}
