import QRCode from 'qrcode';

/**
 * The otpauth:// URI as an SVG QR code, made here: sending a TOTP secret to
 * an online QR service would hand it to a third party. Error correction M
 * (15%) scans well from a screen; the SVG has no script and no style attribute.
 */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
