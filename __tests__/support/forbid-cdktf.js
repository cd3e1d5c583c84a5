// Preloaded (--require) into commands that must not load cdktf: any attempt fails the command.
const Module = require('node:module');
const load = Module._load;
Module._load = function forbidCdktf(request, ...rest) {
  if (request === 'cdktf') throw new Error('cdktf loaded');
  return load.call(this, request, ...rest);
};
