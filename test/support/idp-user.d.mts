// Types of test/support/idp-user.mjs for the TypeScript suites.
export function approveDevice(verificationUriComplete: string, login: string): Promise<string>;
export function revokeAtIdp(issuer: string, clientId: string, token: string): Promise<void>;
