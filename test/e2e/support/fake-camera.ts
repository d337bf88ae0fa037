import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

// A camera for Chromium's fake capture device (`--use-file-for-fake-video-capture`): a Y4M file whose
// picture is a QR code, as if a customer held their member card up to the tablet. Y4M is a text header,
// then per frame the word FRAME, the luma plane and the two chroma planes at quarter size (4:2:0); a grey
// picture has both chroma planes at 128.

const WIDTH = 640;
const HEIGHT = 480;
/** Pixels per QR module, and the white border around the code (scanners need a quiet zone of 4 modules). */
const MODULE_PX = 8;
const QUIET_MODULES = 4;
/** Chromium loops the file; two frames make a stream that has a next frame from the start. */
const FRAMES = 2;

/** The luma plane: white everywhere, the code's dark modules black, centred. */
function lumaPlane(text: string): Buffer {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * QUIET_MODULES) * MODULE_PX;
  if (side > HEIGHT) throw new Error(`a QR code of ${modules.size} modules does not fit the frame`);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 255);
  const left = (WIDTH - modules.size * MODULE_PX) / 2;
  const top = (HEIGHT - modules.size * MODULE_PX) / 2;
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < MODULE_PX; y++) luma.fill(0, (top + row * MODULE_PX + y) * WIDTH + left + col * MODULE_PX, (top + row * MODULE_PX + y) * WIDTH + left + (col + 1) * MODULE_PX);
    }
  }
  return luma;
}

/** Writes a Y4M video of `text` as a QR code to `file`. */
export function writeQrVideo(file: string, text: string): void {
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), lumaPlane(text), chroma]);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: FRAMES }, () => frame)]));
}
