// Which UFS option names carry a secret. Shared by the manifest check (a secret belongs in
// encryptOptions) and the CLI (a secret never comes from argv, which every user can read).

/** Option names that carry a secret (`fs.s3.accessKeySecret`, `fs.oss.securityToken`, `fs.eddy.token`, ...). */
const CREDENTIAL_OPTION = /(secret|password|passwd|token|credential|private[._-]?key)$/i;

export function isCredentialOption(name: string): boolean {
  return CREDENTIAL_OPTION.test(name.replace(/[._-]+$/, ''));
}
