// The device camera for reading a member card's QR code. Browsers offer a camera only in a secure context
// (https or loopback) and only where one is attached, so the counter asks before it shows a camera button.

/** Why the camera could not be opened; each has its own message at the counter. */
export type CameraProblem = 'denied' | 'missing' | 'busy' | 'failed';

/** Whether a video input exists (labels and ids stay hidden until permission; the kinds do not). */
export async function hasCamera(): Promise<boolean> {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices?.getUserMedia || !devices.enumerateDevices) return false;
  try {
    return (await devices.enumerateDevices()).some((device) => device.kind === 'videoinput');
  } catch {
    return false;
  }
}

/** Calls `listener` when a camera is plugged in or out; returns the unsubscribe. */
export function onCameraChange(listener: () => void): () => void {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices?.addEventListener) return () => {};
  devices.addEventListener('devicechange', listener);
  return () => devices.removeEventListener('devicechange', listener);
}

/** Video only, the rear camera where there is one (a tablet held towards the customer's phone). */
export async function openCamera(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' } } });
}

/** Stops every track, so the camera light goes off. */
export function stopCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** The kind of failure of getUserMedia (DOMException names of the Media Capture spec). */
export function cameraProblem(error: unknown): CameraProblem {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'failed';
}
