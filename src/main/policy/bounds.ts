// Window position and size remembered across runs, clamped so the window always opens fully on a display
// that exists now (a monitor unplugged since last time must not leave the till with an invisible window).

/** A rectangle in screen coordinates (DIP). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is saved when the window closes. */
export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

/** Smallest usable size of the counter UI (smaller only when the display itself is smaller). */
export const MIN_SIZE = { width: 800, height: 600 } as const;
/** Size of a first start. */
export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;

const clamp = (value: number, min: number, max: number): number => Math.min(Math.max(value, min), max);

function isFiniteRect(r: Rect): boolean {
  return [r.x, r.y, r.width, r.height].every(Number.isFinite) && r.width > 0 && r.height > 0;
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centred(workArea: Rect, width: number, height: number): Rect {
  return {
    x: Math.round(workArea.x + (workArea.width - width) / 2),
    y: Math.round(workArea.y + (workArea.height - height) / 2),
    width,
    height,
  };
}

function fit(size: { width: number; height: number }, workArea: Rect): { width: number; height: number } {
  return {
    width: Math.round(clamp(size.width, Math.min(MIN_SIZE.width, workArea.width), workArea.width)),
    height: Math.round(clamp(size.height, Math.min(MIN_SIZE.height, workArea.height), workArea.height)),
  };
}

/**
 * Where to open the window. `workAreas` are the current displays' work areas, `primary` the primary one.
 * A saved state is kept on the display it overlaps most, resized to fit it and moved fully inside it; a
 * state that overlaps no display (or is garbage) opens at the saved size centred on the primary display;
 * no saved state gives the default size centred on the primary display.
 */
export function restoreWindowState(saved: WindowState | null, workAreas: readonly Rect[], primary: Rect): WindowState {
  if (saved === null || !isFiniteRect(saved.bounds)) {
    const size = fit(DEFAULT_SIZE, primary);
    return { bounds: centred(primary, size.width, size.height), maximized: false };
  }
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(saved.bounds, area);
    if (overlap > bestArea) {
      best = area;
      bestArea = overlap;
    }
  }
  const maximized = saved.maximized === true;
  if (best === null) {
    const size = fit(saved.bounds, primary);
    return { bounds: centred(primary, size.width, size.height), maximized };
  }
  const size = fit(saved.bounds, best);
  return {
    bounds: {
      x: Math.round(clamp(saved.bounds.x, best.x, best.x + best.width - size.width)),
      y: Math.round(clamp(saved.bounds.y, best.y, best.y + best.height - size.height)),
      ...size,
    },
    maximized,
  };
}
