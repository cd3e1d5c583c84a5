import { UserError } from '../process/command-line';

/** Where the PFX password comes from when no one is at a terminal (CI, scripts). */
export const PFX_PASSWORD_VARIABLE = 'PFX_PASSWORD';

/**
 * The PFX carries the private key that signs in as the Restore Portal, and its 3DES/SHA-1 protection
 * (chosen for Windows Server 2016) is only as strong as the password.
 */
export const MIN_PFX_PASSWORD_LENGTH = 12;

export interface PasswordSource {
  readonly env: NodeJS.ProcessEnv;
  /** Asked on when it is a terminal and the variable is unset. */
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Where the prompt goes (stderr, so stdout stays clean). */
  readonly output: NodeJS.WritableStream;
}

/**
 * The PFX password: from `$PFX_PASSWORD`, or asked twice without echo at a terminal. Never from the
 * command line, where shell history and process lists would keep it.
 */
export async function readPfxPassword(source: PasswordSource): Promise<string> {
  const fromEnv = source.env[PFX_PASSWORD_VARIABLE];
  if (fromEnv !== undefined) return checked(fromEnv, `$${PFX_PASSWORD_VARIABLE}`);
  if (!source.input.isTTY || !source.input.setRawMode) {
    throw new UserError(
      `no PFX password: set ${PFX_PASSWORD_VARIABLE} (e.g. from your CI secret store) or run in a terminal to be asked; it is never taken from the command line`,
    );
  }
  const password = checked(await askHidden(source, 'PFX password: '), 'the password');
  if ((await askHidden(source, 'Repeat it: ')) !== password) throw new UserError('the passwords do not match; nothing written');
  return password;
}

function checked(password: string, what: string): string {
  if (password.length < MIN_PFX_PASSWORD_LENGTH) {
    throw new UserError(`${what} must be at least ${MIN_PFX_PASSWORD_LENGTH} characters: it protects the Restore Portal's private key`);
  }
  return password;
}

/** Reads one line in raw mode, echoing nothing; Ctrl-C cancels. */
function askHidden(source: PasswordSource, question: string): Promise<string> {
  const { input, output } = source;
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = () => {
      input.removeListener('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n') {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (character === '\u0003' || character === '\u0004') {
          finish();
          reject(new UserError('cancelled; nothing written'));
          return;
        }
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed.push(character);
      }
    };
    output.write(question);
    input.setRawMode!(true);
    input.on('data', onData);
    input.resume();
  });
}
