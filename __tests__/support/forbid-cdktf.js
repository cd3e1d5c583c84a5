// Preloaded (--require) into commands that must not load cdktf: loading it, constructs or a provider
// binding fails the command.
const Module = require('node:module');
const load = Module._load;
Module._load = function forbidCdktf(request, ...rest) {
  if (request === 'cdktf' || request === 'constructs' || request.startsWith('@cdktf/')) throw new Error(`${request} loaded`);
  return load.call(this, request, ...rest);
};
