import { learntValue, resolveArgs, scriptLine } from './az-command';
import { azJson, type AzureCli } from './azure-cli';
import type { NoteLine, SetupPlan, SetupStep } from './setup-steps';
import { UserError } from '../process/command-line';
import { escapeControlCharacters } from '../process/problem';

/**
 * `npm run bootstrap`: the set-up as a bash script to read and run in a tenant where nothing exists
 * yet, or run step by step through the Azure CLI (`--apply`), reusing what exists and saying so.
 */

/** Comment text: one line whatever a value holds. */
const comment = (text: string) => `# ${escapeControlCharacters(text)}`;

function noteText(line: NoteLine, value: (name: string) => string): string {
  return line.map((part) => (typeof part === 'string' ? part : value(part.ref))).join('');
}

/** The set-up as a bash script: comments say what each part is for, commands make it. */
export function bootstrapScript(plan: SetupPlan, about: string): string {
  const lines = [
    '#!/usr/bin/env bash',
    comment(about),
    comment('For a tenant where none of it exists yet; npm run bootstrap -- ... --apply runs the same, reusing what exists.'),
    'set -euo pipefail',
  ];
  for (const section of plan.sections) {
    lines.push('', ...section.comments.map(comment), ...section.steps.map((step) => scriptLine(step.command)));
  }
  if (plan.afterwards.length > 0) lines.push('', comment('Then, by hand:'), ...plan.afterwards.map((line) => comment(noteText(line, (name) => `$${name}`))));
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the set-up, each step once: what exists is reused (and said so), the rest made. Signed in to
 * another tenant than the home tenant is a mistake: everything would be made there.
 * @returns what was learnt (application and object IDs)
 * @throws UserError when az fails, naming the step
 */
export async function applyBootstrap(plan: SetupPlan, homeTenant: string, az: AzureCli, out: { write(text: string): unknown }): Promise<ReadonlyMap<string, string>> {
  const accountArgs = ['account', 'show', '--output', 'json'];
  const account = azJson(await az.run(accountArgs), accountArgs) as { tenantId?: unknown } | null;
  if (account?.tenantId !== homeTenant) {
    throw new UserError(`az is signed in to tenant ${String(account?.tenantId)}, not the home tenant ${homeTenant}: az login --tenant ${homeTenant}, then run again`);
  }
  const values = new Map<string, string>();
  const say = (text: string) => out.write(`${escapeControlCharacters(text)}\n`);
  for (const section of plan.sections) for (const step of section.steps) await applyStep(step, az, values, say);
  if (plan.afterwards.length > 0) {
    say('');
    say('Then, by hand:');
    for (const line of plan.afterwards) say(noteText(line, (name) => values.get(name) ?? `$${name}`));
  }
  return values;
}

function learn(values: Map<string, string>, name: string, value: string, what: string): void {
  values.set(name, learntValue(value, what));
}

async function applyStep(step: SetupStep, az: AzureCli, values: Map<string, string>, say: (text: string) => void): Promise<void> {
  const run = async (command = step.command) => {
    const printed = (await az.run(resolveArgs(command, values))).trim();
    if (command.capture) learn(values, command.capture, printed, step.what);
    return printed;
  };
  if (step.kind === 'switch') {
    say(`signing in to ${step.what}`);
    await run();
    return;
  }
  if (step.kind === 'read') {
    await run();
    return;
  }
  const found = await step.find?.(az, values);
  if (found === undefined) {
    const made = await run();
    say(`created: ${step.what}${step.command.capture ? ` (${made})` : ''}`);
    return;
  }
  if (step.command.capture && found.value !== undefined) learn(values, step.command.capture, found.value, step.what);
  if (found.instead) {
    await run(found.instead);
    say(`completed: ${step.what}${found.note ? `: ${found.note}` : ''}`);
    return;
  }
  say(`exists, reused: ${step.what}${found.value ? ` (${found.value})` : ''}${found.note ? `; ${found.note}` : ''}`);
}
