import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cameraProblem, hasCamera, onCameraChange, openCamera, stopCamera, type CameraProblem } from '../../lib/camera.ts';
import { qrReader, type QrReader } from '../../lib/qr-reader.ts';
import { isCompleteMemberCode, memberCodeQuery } from '../../../sync/model/member-code.ts';

/** Pause between two reads of the video: a few reads a second find a card at once and leave the CPU free. */
const READ_INTERVAL_MS = 150;

type ScanState = 'starting' | 'scanning' | 'notMemberCode' | CameraProblem;

/** The first complete member code among the texts read, normalised as the lookup normalises a typed one. */
export function memberCodeIn(texts: readonly string[]): string | null {
  for (const text of texts) {
    const code = memberCodeQuery(text.trim());
    if (code !== null && isCompleteMemberCode(code)) return code;
  }
  return null;
}

/**
 * Keeps reading the video until a member card's QR code shows; calls `found` once with its code. Returns
 * the stop function (the camera goes off with it).
 */
function watchCamera(video: HTMLVideoElement, setState: (state: ScanState) => void, found: (code: string) => void): () => void {
  let stream: MediaStream | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    stopCamera(stream);
    video.srcObject = null;
  };
  const tick = async (reader: QrReader) => {
    if (stopped) return;
    // A frame exists from HAVE_CURRENT_DATA on; the detector throws on an empty video.
    const texts = video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA ? await reader.read(video).catch(() => []) : [];
    if (stopped) return;
    const code = memberCodeIn(texts);
    if (code !== null) {
      stop();
      found(code);
      return;
    }
    if (texts.length > 0) setState('notMemberCode');
    timer = setTimeout(() => void tick(reader), READ_INTERVAL_MS);
  };
  void (async () => {
    try {
      const opened = await openCamera();
      stream = opened;
      if (stopped) return stopCamera(opened);
      video.srcObject = opened;
      await video.play();
      const reader = await qrReader();
      if (stopped) return;
      setState('scanning');
      await tick(reader);
    } catch (error) {
      if (stopped) return;
      stop();
      setState(cameraProblem(error));
    }
  })();
  return stop;
}

/**
 * The camera's preview over the counter while it looks for a member card's QR code. A code found is handed
 * to `onCode` (the lookup then opens the customer as if it had been typed); closing stops the camera.
 */
export function CameraScan({ onCode, onClose }: { onCode(code: string): void; onClose(): void }) {
  const { t } = useTranslation('counter');
  const videoRef = useRef<HTMLVideoElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<ScanState>('starting');
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    closeRef.current?.focus();
    const video = videoRef.current;
    if (!video) return;
    return watchCamera(video, setState, (code) => onCodeRef.current(code));
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  };
  const problem = state !== 'starting' && state !== 'scanning';
  return (
    <div className="camera-scan" role="dialog" aria-modal="true" aria-labelledby="camera-scan-title" data-testid="camera-scan" data-state={state} onKeyDown={onKeyDown}>
      <h3 id="camera-scan-title">{t('cameraTitle')}</h3>
      <video ref={videoRef} className="camera-scan-video" muted playsInline aria-hidden="true" hidden={problem && state !== 'notMemberCode'} />
      <p className={problem ? 'field-error' : 'field-hint'} role={problem ? 'alert' : 'status'} data-testid="camera-scan-message">
        {t(`camera.${state}`)}
      </p>
      <button ref={closeRef} type="button" onClick={onClose}>
        {t('cameraClose')}
      </button>
    </div>
  );
}

/** Whether this device has a camera (rechecked when one is plugged in or out); false until known. */
export function useCameraAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let current = true;
    const check = () => void hasCamera().then((has) => current && setAvailable(has));
    check();
    const unsubscribe = onCameraChange(check);
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return available;
}
