import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlanReport, type PlanReport } from '../../lib/review/report/plan-report';
import { readPlanJson } from '../../lib/review/report/terraform-plan';
import { FIXTURES } from './builders';
import { temporaryFolder } from './clean-up';

/** Plans as `terraform show -json` prints them, for an environment "prod" with valid.cer (see each file's scenario). */
export const PLANS = join(FIXTURES, 'plans');

/** Thumbprint of fixtures/certs/valid.cer, the certificate the fixture plans register. */
export const VALID_THUMBPRINT = '8081CE44ADF557BE7F269132ED4D6F8139CFF2FA';

/** A fixture plan as a plain object, to read or to adjust for one test. */
export function planFixture(name: string): any {
  return JSON.parse(readFileSync(join(PLANS, `${name}.json`), 'utf8'));
}

/** The report of a plan object (a fixture, maybe adjusted). */
export function reportOf(plan: unknown, environment = 'prod'): PlanReport {
  return buildPlanReport(readPlanJson(JSON.stringify(plan), 'plan.json'), environment);
}

/** Just the messages of a report section. */
export function messages(items: readonly { message: string }[]): string[] {
  return items.map((item) => item.message);
}

/**
 * A folder holding a stand-in `terraform` that logs its arguments and answers from FAKE_TERRAFORM_*
 * variables; put it first on PATH.
 */
export function standInTerraform(): { dir: string; log: string } {
  const dir = temporaryFolder('stand-in-terraform-');
  copyFileSync(join(__dirname, 'stand-in-terraform.sh'), join(dir, 'terraform'));
  chmodSync(join(dir, 'terraform'), 0o755);
  return { dir, log: join(dir, 'calls.log') };
}
