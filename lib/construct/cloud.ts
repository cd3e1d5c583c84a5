/** A national cloud of Microsoft Entra ID, with what differs between them for the Restore Portal. */
export interface Cloud {
  /** The name the `cloud` prop and environment files use. */
  readonly name: CloudName;
  /** The azuread provider's `environment` argument. */
  readonly providerEnvironment: string;
  /** Entra's sign-in host, used in admin consent URLs. */
  readonly loginHost: string;
  /** The `-Region` argument of VB365's `Set-VBORestorePortalSettings`. */
  readonly vb365Region: string;
}

export type CloudName = 'public' | 'usgovernment' | 'china';

/** Provider environments: azuread provider docs; login hosts: Microsoft's national cloud endpoints list. */
export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  public: { name: 'public', providerEnvironment: 'global', loginHost: 'login.microsoftonline.com', vb365Region: 'Worldwide' },
  usgovernment: {
    name: 'usgovernment',
    providerEnvironment: 'usgovernment',
    loginHost: 'login.microsoftonline.us',
    vb365Region: 'USGovernment',
  },
  china: { name: 'china', providerEnvironment: 'china', loginHost: 'login.chinacloudapi.cn', vb365Region: 'China' },
};

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];
