// Variables of the bench's own shell that add work to every Node process's start, and that a
// service's unit does not set: the bench's apps start without them.

/**
 * NODE_EXTRA_CA_CERTS has every Node process parse a CA bundle before any of its code runs:
 * about 60 ms per process on the machine of bench/README.md, whose sandbox sets it for its
 * TLS proxy. It lengthened the bare app's time to listen (case 5's denominator, counted from
 * process start) and so shrank the module's share.
 */
const START_UP_VARIABLES = ['NODE_EXTRA_CA_CERTS'];

/** @type {Record<string, string>} */
const removed = {};

/**
 * Removes the variables from this process's environment, which every process the bench starts
 * inherits. @returns {string[]} the names of those that were set
 */
export function unsetStartUpVariables() {
  for (const name of START_UP_VARIABLES) {
    const value = process.env[name];
    if (value === undefined) continue;
    removed[name] = value;
    delete process.env[name];
  }
  return Object.keys(removed);
}

/**
 * The environment with the removed variables back, for what needs the network rather than
 * measuring (npm installing a comparison target through the machine's proxy).
 */
export function networkEnv() {
  return { ...process.env, ...removed };
}
