/**
 * Text from a user (an environment file, a certificate, package.json) written into Terraform JSON.
 *
 * Terraform reads every string of a `.tf.json` file where an expression may stand as a string
 * template (developer.hashicorp.com/terraform/language/syntax/json), so `${...}` in a display name
 * would be evaluated: `${file("/etc/passwd")}` would read a file of the machine that plans.
 * `$${` and `%%{` are the template language's escapes for a literal `${` and `%{`
 * (developer.hashicorp.com/terraform/language/expressions/strings, "Escape Sequences"). Backend
 * blocks are not templates (Terraform 1.11 writes `$${` there as it stands), so backend values are
 * never passed through here.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * cdktf marks its references inside strings as `${TfToken[TOKEN.n]}` (and `#{`, `&{` for lists and
 * maps) and replaces every such marker it finds in any string when it writes a stack, so a user
 * string holding one would take the value of another resource, such as a private key. Such text is
 * refused where it is read; escaping cannot help, since `$${TfToken[` still holds the marker.
 */
const CDKTF_TOKEN_MARKER = 'TfToken[';

/** Why user text cannot be written into Terraform JSON, or undefined when it can. */
export function terraformTextProblem(text: string): string | undefined {
  if (text.includes(CDKTF_TOKEN_MARKER)) return `contains "${CDKTF_TOKEN_MARKER}", which cdktf reserves for references between resources; remove it`;
  return undefined;
}
