// The shipped example. Its all-zero tenantId makes it an example: it synthesizes offline with no
// credentials, but plan, drift, certs and the workflows pass it by. Copy it to environments/<name>.ts
// (or edit it), then put in your tenant, your portal's addresses and the public certificate VB365 uses.
import { defineEnvironment } from '../lib/environment';

export default defineEnvironment({
  tenantId: '00000000-0000-0000-0000-000000000000',
  redirectUris: ['https://restore.example.com:4443'],
  certificates: [{ source: 'file', path: 'certs/example.cer' }],
});
