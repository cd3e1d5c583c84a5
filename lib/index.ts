export * from './backend';
// pfx.ts, pfx-export.ts and pfx-password.ts are imported directly: node-forge is needed by npm run
// export-pfx alone, and loading it would slow every synth.
export * from './certificate';
export * from './certificate-expiry';
export * from './certificate-report';
export * from './command-line';
export * from './cloud';
export * from './deterministic-uuid';
export * from './environment';
export * from './environment-certificates';
export * from './environment-files';
export * from './problem';
export * from './redirect-uri';
export * from './restore-portal-app';
export * from './restore-portal-stack';
export * from './stack-synthesis';
export * from './stack-directory';
export * from './synth';
export * from './terraform-outputs';
export * from './tls-self-signed-certificate';
export * from './vb365';
export * from './well-known';
export * from './plan-report';
export * from './plan-report-format';
export * from './plan-review';
export * from './terraform';
export * from './terraform-plan';
