import { addonAbiMismatch } from '../../lib/notify/addon-abi-mismatch.js';

describe('addonAbiMismatch', () => {
  it("reads both versions from Node's refusal of an addon built for another Node", () => {
    // Node 22.23's words for an addon that Node 20 built.
    const refusal =
      "The module '/app/node_modules/unix-dgram/build/Release/unix_dgram.node'\n" +
      'was compiled against a different Node.js version using\n' +
      'NODE_MODULE_VERSION 115. This version of Node.js requires\n' +
      'NODE_MODULE_VERSION 127. Please try re-compiling or re-installing\n' +
      'the module (for instance, using `npm rebuild` or `npm install`).';
    expect(addonAbiMismatch(refusal)).toEqual({ built: '115', needed: '127' });
  });

  it('finds nothing in any other failure to load', () => {
    expect(addonAbiMismatch('/app/unix_dgram.node: file too short')).toBeUndefined();
    expect(addonAbiMismatch("Cannot find module 'unix-dgram'")).toBeUndefined();
  });
});
