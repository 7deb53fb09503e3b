// Reading generated unit files back: settings by section, and the comments above them.
import type { UnitOptions } from '../../lib/cli/unit-options.js';

/** The options of a plain app, for tests to vary one at a time. */
export const BASE_OPTIONS: UnitOptions = {
  name: 'my-app',
  description: 'My app',
  nodePath: '/usr/bin/node',
  entryPath: '/opt/my-app/dist/main.js',
  workingDirectory: '/opt/my-app',
  port: 3000,
  host: '127.0.0.1',
  watchdogSec: 10,
  timeoutStopSec: 20,
  environment: [],
  credentials: [],
  ipAllow: [],
  after: [],
  socket: false,
  instances: false,
  oneshot: false,
  noPort: false,
};

export interface UnitLine {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** The comment lines right above this setting or the run of settings it belongs to. */
  readonly comment: readonly string[];
}

/** Every `Key=value` line of a unit file, with its section and the comment that explains it. */
export function unitLines(text: string): UnitLine[] {
  const lines: UnitLine[] = [];
  let section = '';
  let comment: string[] = [];
  let commentClosed = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      if (commentClosed) comment = [];
      commentClosed = false;
      comment.push(line.replace(/^# ?/, ''));
    } else if (line.startsWith('[')) {
      section = line.slice(1, -1);
      comment = [];
    } else if (line === '') {
      comment = [];
    } else {
      const at = line.indexOf('=');
      lines.push({ section, key: line.slice(0, at), value: line.slice(at + 1), comment });
      commentClosed = true;
    }
  }
  return lines;
}

/** The values of `key` in `section`, in order. */
export function values(text: string, section: string, key: string): string[] {
  return unitLines(text)
    .filter((line) => line.section === section && line.key === key)
    .map((line) => line.value);
}

/** The one value of `key` in `section`; fails when there are none or several. */
export function value(text: string, section: string, key: string): string {
  const found = values(text, section, key);
  if (found.length !== 1) {
    throw new Error(`expected one ${key}= in [${section}], found ${found.length}`);
  }
  return found[0]!;
}
