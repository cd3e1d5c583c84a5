// The Graph double (__tests__/support) serving the applied registration of a generated project's one
// environment, for npm run bench's audit figure. It runs in a process of its own: the bench times
// commands with spawnSync, which would stop an in-process server from answering.
// usage: node --require ./bin/register-ts.js bench/graph-double-server.ts <project root> <ms per request> <client ID> <identity client ID> <identity secret>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironments } from '../lib/environment/environment-files';
import { GraphDouble } from '../__tests__/support/graph-double';
import { applyRegistration } from '../__tests__/support/graph-registration';

async function main(): Promise<void> {
  const [projectRoot, latencyMs, clientId, identity, secret] = process.argv.slice(2);
  const double = await new GraphDouble().start({ authority: true });
  double.latencyMs = Number(latencyMs);
  double.identities.push({ clientId: identity, secret });
  const { environments, problems } = loadEnvironments({ projectRoot });
  if (problems.length > 0 || environments.length !== 1) throw new Error(`expected one environment in ${projectRoot}`);
  applyRegistration(double, environments[0], { clientId });
  const ca = join(projectRoot, 'graph-double-ca.pem');
  writeFileSync(ca, double.certificatePem);
  process.stdout.write(`${JSON.stringify({ graph: double.url, authority: double.authority, ca })}\n`);
  process.on('SIGTERM', () => void double.stop().then(() => process.exit(0)));
}

void main();
