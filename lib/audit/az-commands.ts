/**
 * The Azure CLI commands (bash) a finding suggests: each removes exactly what was found, or puts back
 * what is missing. Every value in them that came from Graph is one shell word (single-quoted unless
 * it is plain, as GUIDs are), so a pasted command does only what it says.
 */
export class AzCommands {
  /** @param graph the cloud's own Graph (`https://graph.microsoft.com`), which `az rest` addresses */
  constructor(private readonly graph: string) {}

  removeApplicationCredential(clientId: string, keyId: string, certificate: boolean): string {
    return `az ad app credential delete --id ${sh(clientId)} --key-id ${sh(keyId)}${certificate ? ' --cert' : ''}`;
  }

  removeServicePrincipalCredential(servicePrincipalId: string, keyId: string, certificate: boolean): string {
    return `az ad sp credential delete --id ${sh(servicePrincipalId)} --key-id ${sh(keyId)}${certificate ? ' --cert' : ''}`;
  }

  removeFederatedCredential(clientId: string, id: string): string {
    return `az ad app federated-credential delete --id ${sh(clientId)} --federated-credential-id ${sh(id)}`;
  }

  removeApplicationOwner(clientId: string, ownerId: string): string {
    return `az ad app owner remove --id ${sh(clientId)} --owner-object-ids ${sh(ownerId)}`;
  }

  addApplicationOwner(clientId: string, ownerId: string): string {
    return `az ad app owner add --id ${sh(clientId)} --owner-object-id ${sh(ownerId)}`;
  }

  removeServicePrincipalOwner(servicePrincipalId: string, ownerId: string): string {
    return `az rest --method DELETE --url ${sh(`${this.graph}/v1.0/servicePrincipals/${servicePrincipalId}/owners/${ownerId}/$ref`)}`;
  }

  addServicePrincipalOwner(servicePrincipalId: string, ownerId: string): string {
    const body = { '@odata.id': `${this.graph}/v1.0/directoryObjects/${ownerId}` };
    return `az rest --method POST --url ${sh(`${this.graph}/v1.0/servicePrincipals/${servicePrincipalId}/owners/$ref`)} --body ${sh(JSON.stringify(body))}`;
  }

  /** Removes every redirect URI of a platform the code registers none on. */
  clearRedirectUris(applicationObjectId: string, platform: 'web' | 'publicClient'): string {
    const body = { [platform]: { redirectUris: [] } };
    return `az rest --method PATCH --url ${sh(`${this.graph}/v1.0/applications/${applicationObjectId}`)} --body ${sh(JSON.stringify(body))}`;
  }

  setIdentifierUris(clientId: string, uris: readonly string[]): string {
    return `az ad app update --id ${sh(clientId)} --identifier-uris ${uris.map(sh).join(' ')}`;
  }

  removeApiPermission(clientId: string, resourceAppId: string, permissionId: string): string {
    return `az ad app permission delete --id ${sh(clientId)} --api ${sh(resourceAppId)} --api-permissions ${sh(permissionId)}`;
  }

  enableServicePrincipal(servicePrincipalId: string): string {
    return `az ad sp update --id ${sh(servicePrincipalId)} --set accountEnabled=true`;
  }

  removeGrant(grantId: string): string {
    return `az rest --method DELETE --url ${sh(`${this.graph}/v1.0/oauth2PermissionGrants/${grantId}`)}`;
  }

  setGrantScope(grantId: string, scope: string): string {
    return `az rest --method PATCH --url ${sh(`${this.graph}/v1.0/oauth2PermissionGrants/${grantId}`)} --body ${sh(JSON.stringify({ scope }))}`;
  }

  removeAppRoleAssignment(servicePrincipalId: string, assignmentId: string): string {
    return `az rest --method DELETE --url ${sh(`${this.graph}/v1.0/servicePrincipals/${servicePrincipalId}/appRoleAssignments/${assignmentId}`)}`;
  }
}

/** A word for bash: as it is when it holds only characters bash leaves alone, else single-quoted. */
export function sh(word: string): string {
  if (/^[A-Za-z0-9._:/=@+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
