/**
 * Saves a blob as a download: an object URL (allowed by the CSP, no network) clicked through a temporary link.
 * Every file the app hands to the user — dashboard tables, exports, error files, a customer's archive — goes
 * out this way.
 */
export function downloadBlob(fileName: string, blob: Blob, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled: some browsers read the URL asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
