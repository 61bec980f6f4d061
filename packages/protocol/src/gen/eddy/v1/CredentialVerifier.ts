// Original file: proto/eddy/v1/master.proto


export interface CredentialVerifier {
  'sha256'?: (Buffer | Uint8Array | string);
  'role'?: (string);
  'scoped'?: (boolean);
  'datasets'?: (string)[];
}

export interface CredentialVerifier__Output {
  'sha256': (Buffer);
  'role': (string);
  'scoped': (boolean);
  'datasets': (string)[];
}
