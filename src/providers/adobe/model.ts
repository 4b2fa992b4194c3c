// What the Sandbox API says a sandbox is, and the credentials every Platform call carries.
// In a module of its own so that the client, its headers and the state rules can all use it.

export interface Sandbox {
  name: string
  title?: string
  state: string
  type: string
  isDefault: boolean
  region?: string
  createdDate?: string
  lastModifiedDate?: string
}

export interface Credentials {
  token: string
  apiKey: string
  orgId: string
}
