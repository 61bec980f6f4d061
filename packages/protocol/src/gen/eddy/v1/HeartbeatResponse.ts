// Original file: proto/eddy/v1/master.proto

import type { CredentialVerifier as _eddy_v1_CredentialVerifier, CredentialVerifier__Output as _eddy_v1_CredentialVerifier__Output } from '../../eddy/v1/CredentialVerifier.js';

export interface HeartbeatResponse {
  'free'?: (string)[];
  'reregister'?: (boolean);
  'pin'?: (string)[];
  'unpin'?: (string)[];
  'verifiers'?: (_eddy_v1_CredentialVerifier)[];
}

export interface HeartbeatResponse__Output {
  'free': (string)[];
  'reregister': (boolean);
  'pin': (string)[];
  'unpin': (string)[];
  'verifiers': (_eddy_v1_CredentialVerifier__Output)[];
}
