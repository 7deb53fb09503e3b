/** The two ABI versions in Node's refusal of an addon built for another Node.js. */
export interface AddonAbiMismatch {
  /** NODE_MODULE_VERSION the addon was built for. */
  readonly built: string;
  /** NODE_MODULE_VERSION the Node.js that refused it needs. */
  readonly needed: string;
}

/**
 * Reads Node's own words for an addon built for another Node.js ("… using NODE_MODULE_VERSION
 * 115. This version of Node.js requires NODE_MODULE_VERSION 127. …"), the one failure whose
 * fix is a rebuild with the right Node rather than allowing the build.
 */
export function addonAbiMismatch(message: string): AddonAbiMismatch | undefined {
  const match = /NODE_MODULE_VERSION (\d+)\.[\s\S]*NODE_MODULE_VERSION (\d+)\./.exec(message);
  return match ? { built: match[1]!, needed: match[2]! } : undefined;
}
