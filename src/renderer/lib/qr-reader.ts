import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

// Reading QR codes from the camera's video. Chromium has a native BarcodeDetector on Android, ChromeOS and
// macOS but not on Linux or Windows; elsewhere the barcode-detector ponyfill runs ZXing compiled to WebAssembly.
// Its .wasm is part of our own build (the `?url` import emits it as a hashed asset the service worker
// precaches), never the CDN the library fetches from by default: the counter works offline and the page's
// CSP allows no other origin.

/** Reads the QR codes visible in a video frame (their text, in the order found). */
export interface QrReader {
  read(frame: HTMLVideoElement): Promise<string[]>;
}

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeDetector(): Promise<Detector | null> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!Native) return null;
  try {
    return (await Native.getSupportedFormats()).includes('qr_code') ? new Native({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

let ponyfill: Promise<Detector> | null = null;

/** The ZXing ponyfill, its WebAssembly compiled once per page (a failed load is retried on the next call). */
function zxingDetector(): Promise<Detector> {
  ponyfill ??= (async () => {
    const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill');
    await prepareZXingModule({
      overrides: { locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? zxingWasmUrl : prefix + file) },
      fireImmediately: true,
    });
    return new BarcodeDetector({ formats: ['qr_code'] });
  })().catch((error: unknown) => {
    ponyfill = null;
    throw error;
  });
  return ponyfill;
}

/** A QR reader: the browser's own where it has one, ZXing otherwise. */
export async function qrReader(): Promise<QrReader> {
  const detector = (await nativeDetector()) ?? (await zxingDetector());
  return {
    async read(frame) {
      return (await detector.detect(frame)).map((code) => code.rawValue);
    },
  };
}
