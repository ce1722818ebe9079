/** Readable one-line form of FastAPI's `detail` (422 lists become `loc: msg; …`). */
export function formatDetail(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((entry) => {
        if (entry && typeof entry === 'object' && 'msg' in entry) {
          const loc = Array.isArray((entry as { loc?: unknown }).loc) ? (entry as { loc: unknown[] }).loc.join('.') : '';
          return loc ? `${loc}: ${String((entry as { msg: unknown }).msg)}` : String((entry as { msg: unknown }).msg);
        }
        return JSON.stringify(entry);
      })
      .join('; ');
  }
  if (typeof detail === 'object' && 'message' in detail) return String((detail as { message: unknown }).message);
  return JSON.stringify(detail);
}
