/** One diagnostic Terraform printed: `Error: <summary>`, the lines under it, and the resource it names. */
export interface TerraformDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  /** The lines under the summary, joined with spaces (Terraform wraps them on a terminal). */
  readonly detail: string;
  /** The resource address the diagnostic is about (`azuread_service_principal.portal`), when it names one. */
  readonly address?: string;
}

/** Where Terraform names the resource of a diagnostic, in the order it does. */
const ADDRESS_PATTERNS = [
  /\bwith ([a-z][\w-]*\.[\w-]+(?:\[[^\]]*\])?),/,
  /\bin resource\.([a-z][\w-]*)\.([\w-]+)/,
  /\bResource ([a-z][\w-]*\.[\w-]+(?:\[[^\]]*\])?) has lifecycle/,
  /\bto "([a-z][\w-]*\.[\w-]+(?:\[[^\]]*\])?)"/,
];

/** A line of Terraform's human-readable output without the box (`╷ │ ╵`, or `|` on a plain terminal) it may be drawn in. */
export function unboxed(line: string): string {
  return line.replace(/^\s*[│╷╵|]\s?/, '').trim();
}

/**
 * Reads the diagnostics in Terraform's human-readable output (boxed with `╷ │ ╵` or plain, as
 * `-no-color` prints them). A pure function of the text, so any way of running Terraform can use it.
 */
export function readDiagnostics(output: string): TerraformDiagnostic[] {
  const diagnostics: { severity: 'error' | 'warning'; summary: string; lines: string[] }[] = [];
  let current: (typeof diagnostics)[number] | undefined;
  for (const raw of output.split('\n')) {
    if (/^\s*╵/.test(raw)) {
      current = undefined;
      continue;
    }
    const line = unboxed(raw);
    // [^] and not ".": a summary quoting Graph can hold a carriage return, and is a summary still.
    const start = /^(Error|Warning): ([^]*)$/.exec(line);
    if (start) {
      current = { severity: start[1] === 'Error' ? 'error' : 'warning', summary: start[2].trim(), lines: [] };
      diagnostics.push(current);
    } else if (current && line !== '') {
      current.lines.push(line);
    }
  }
  return diagnostics.map(({ severity, summary, lines }) => {
    const detail = lines.join(' ');
    return { severity, summary, detail, address: addressIn(`${summary} ${detail}`) };
  });
}

function addressIn(text: string): string | undefined {
  for (const pattern of ADDRESS_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return match.slice(1).join('.');
  }
  return undefined;
}
