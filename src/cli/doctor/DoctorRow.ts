/** One line of the `doctor` report. */
export interface DoctorRow {
  /** What was checked: `server`, `auth`, `queue`, `events`, `probe`, or a workflow file name. */
  check: string;
  status: 'ok' | 'warn' | 'fail';
  /** What was found, on one line. */
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}
